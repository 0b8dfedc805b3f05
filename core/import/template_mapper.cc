// Import of the published text. The reader works in three passes:
//   1. lines: width-folded, trimmed, Markdown pipe rows split into cells;
//   2. parts: the six headings of the template split the lines into parts;
//   3. tables: each table part is read by a RowReader that identifies rows by
//      their labels (exact, prefix of a label split over lines, or fuzzy for
//      OCR slips), leaning on the template order, and collects each row's
//      values from the same line, the following lines, or a value row that
//      stood before its label.
#include "core/import/template_mapper.h"

#include <tuple>

#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/rules/rules.h"
#include "core/report/template.h"
#include "core/import/text_reader.h"
#include "core/base/text_util.h"

namespace disclosure {
namespace {

using Level = v1::ImportDiagnostic;  // Level::NOTE, Level::UNPLACED

// ------------------------------------------------------------------ lines

// Views into the document and into one buffer of folded text (Lines), so
// that reading allocates little: import time is dominated by allocations.
// Each paragraph of the document is one line; each table row is one pipe line.
// One table cell as read (ClassifyCell): blank, a value or a label.
enum class CellKind { kBlank, kValue, kLabel };

struct Cell {
  CellKind kind = CellKind::kBlank;
  absl::string_view text;  // as published (folded); a view into the line
  // For values: the integer, when the text is one (after normalisation).
  std::optional<int64_t> count;
  bool normalised = false;  // OCR letters or thousands separators were read
  // Paged sources: the word's horizontal extent (points); x0 < 0: unknown.
  float x0 = -1, x1 = -1;
  const struct Line* line = nullptr;  // paged sources: the line it is on
};

// A label as the reader compares it: its key without a leading numbering
// ("一、", "（三）", "1.", "5、") and that numbering as a number.
struct LabelForm {
  std::u32string core;
  int number = 0;  // 0: no numbering
};
LabelForm MakeForm(absl::string_view label);

struct Line {
  Source source;                         // where it stands in the source
  absl::string_view text;                // width-folded and trimmed: for reading
  absl::string_view raw;                 // trimmed, as published: for narrative
  bool pipe = false;                     // a table row
  std::vector<absl::string_view> cells;  // trimmed, folded cells of a table row
  std::vector<Cell> classes;             // `cells` classified (ClassifyLines)
  std::vector<LabelForm> forms;          // of `classes`' labels (empty for others)
  // Paged sources: the horizontal extent of each space-separated word of
  // `text`, in order; empty when unknown.
  struct WordX {
    float x0 = -1, x1 = -1;
    // Where the word's trailing digits begin when they are a word of the
    // source of their own, set close after a label ("行政规范性文件5"); else -1.
    float digits_x0 = -1;
  };
  std::vector<WordX> word_x;
};

// The extents of the space-separated words of `raw` (a view into
// `block.text`) from the block's word spans, when `text` (raw folded) has as
// many words; else none.
std::vector<Line::WordX> WordExtents(const DocBlock& block, absl::string_view raw,
                                     absl::string_view text) {
  std::vector<Line::WordX> out;
  if (block.words.empty()) return out;
  size_t words_in_text = 0;
  for (absl::string_view t : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    (void)t;
    ++words_in_text;
  }
  const size_t base = static_cast<size_t>(raw.data() - block.text.data());
  size_t span = 0;
  for (absl::string_view t : absl::StrSplit(raw, ' ', absl::SkipEmpty())) {
    size_t begin = base + static_cast<size_t>(t.data() - raw.data()), end = begin + t.size();
    while (span < block.words.size() && block.words[span].end <= begin) ++span;
    Line::WordX x;
    size_t last = span;
    for (size_t s = span; s < block.words.size() && block.words[s].begin < end; ++s) {
      if (x.x0 < 0) x.x0 = block.words[s].x0;
      x.x1 = std::max(x.x1, block.words[s].x1);
      last = s;
    }
    if (x.x0 < 0) return {};
    // The last source word all ASCII digits, the one before it ending in none.
    const WordSpan& w = block.words[last];
    auto digits = [&](size_t b, size_t e) {
      return b < e && std::all_of(block.text.begin() + b, block.text.begin() + e,
                                  [](char c) { return absl::ascii_isdigit(c); });
    };
    if (last > span && w.end == end && digits(w.begin, w.end) &&
        !digits(block.words[last - 1].end - 1, block.words[last - 1].end)) {
      x.digits_x0 = w.x0;
    }
    out.push_back(x);
  }
  if (out.size() != words_in_text) out.clear();
  return out;
}

// Paragraphs longer than this (bytes) with a full stop 。 are prose: only
// ever used as published, so they are not folded (they are the bulk).
constexpr size_t kLongLine = 200;

Cell ClassifyCell(absl::string_view raw);

struct Lines {
  std::string folded;  // the folded text the lines' `text` and `cells` view
  std::vector<Line> lines;
};

// A paragraph cut where one of the template's part headings, word for word
// with its numeral, stands glued into running text: at its start with the
// part's first sentence after it ("一、总体情况2021年，…"), or after the end
// of a sentence ("…等问题。六、其他需要报告的事项本报告…"), as text pasted
// without its line breaks prints them. A heading quoted inside a sentence
// is not cut.
void CutAtHeadings(absl::string_view raw, std::vector<absl::string_view>* pieces) {
  // Every part heading is its numeral and 、 ("一、总体情况"): the text is
  // scanned once for 、, and the headings are compared only there.
  static constexpr absl::string_view kComma = "、";
  size_t from = 0;
  for (size_t at = 0; at < raw.size();) {
    size_t cut = absl::string_view::npos, len = 0;
    for (size_t c = raw.find(kComma, at); c != absl::string_view::npos && cut == absl::string_view::npos;
         c = raw.find(kComma, c + 1)) {
      for (const Part& part : kParts) {
        const size_t numeral = strlen(part.numeral);
        if (c < at + numeral || raw.compare(c - numeral, numeral, part.numeral) != 0) continue;
        const size_t p = c - numeral;
        absl::string_view h = part.heading;
        if (raw.compare(p, h.size(), h) != 0) continue;
        absl::string_view before = TrimSpaces(raw.substr(from, p - from));
        bool starts = before.empty();
        bool after_sentence = false;
        for (const char* end : {"。", "；", "！", "？", "：", ":", ";"}) {
          after_sentence |= absl::EndsWith(before, end);
        }
        bool more = !TrimSpaces(raw.substr(p + h.size())).empty();
        if ((starts && more) || (!starts && after_sentence)) {
          cut = p, len = h.size();
          break;
        }
      }
    }
    if (cut == absl::string_view::npos) break;
    if (cut > from) pieces->push_back(raw.substr(from, cut - from));
    pieces->push_back(raw.substr(cut, len));
    from = cut + len;
    // "一、总体情况：2021年…": the colon goes with the heading.
    for (const char* colon : {"：", ":"}) {
      if (absl::StartsWith(raw.substr(from), colon)) from += strlen(colon);
    }
    at = from;
  }
  if (from < raw.size()) pieces->push_back(raw.substr(from));
}

void LinesOf(const Document& doc, Lines* out) {
  // Folding never lengthens text, so a buffer reserved for every text and
  // separator never reallocates and views into it stay valid.
  size_t bound = 0;
  for (const DocBlock& b : doc.blocks) {
    bound += b.text.size();
    for (const auto& row : b.rows) {
      for (const DocCell& c : row) bound += 2 * c.text.size() + 3;
      bound += 2;
    }
  }
  out->folded.reserve(bound);
  size_t lines = 0;
  for (const DocBlock& b : doc.blocks) lines += b.kind == DocBlock::kParagraph ? 1 : b.rows.size();
  out->lines.reserve(lines);
  auto fold = [&](absl::string_view s) {
    size_t start = out->folded.size();
    AppendFolded(s, &out->folded);
    // A cell's inner line breaks join one text (a label wrapped in its cell).
    if (out->folded.find('\n', start) != std::string::npos) {
      std::replace(out->folded.begin() + start, out->folded.end(), '\n', ' ');
    }
    return TrimAsciiSpaces(absl::string_view(out->folded).substr(start));
  };
  for (const DocBlock& b : doc.blocks) {
    if (b.kind == DocBlock::kParagraph) {
      std::vector<absl::string_view> pieces;
      for (absl::string_view raw : absl::StrSplit(b.text, '\n')) CutAtHeadings(raw, &pieces);
      for (absl::string_view raw : pieces) {
        raw = TrimSpaces(raw);
        // Markdown headings ("## 一、总体情况") and bold ("**二、…**"): the
        // markers are not the text.
        if (absl::StartsWith(raw, "#")) {
          size_t text = raw.find_first_not_of('#');  // npos: a line of only '#'
          raw = text == absl::string_view::npos
                    ? absl::string_view()
                    : TrimSpaces(absl::StripLeadingAsciiWhitespace(raw.substr(text)));
        }
        if (absl::StartsWith(raw, "**") && absl::EndsWith(raw, "**") && raw.size() > 4) {
          raw = TrimSpaces(raw.substr(2, raw.size() - 4));
        }
        if (raw.empty()) continue;
        Line line;
        line.source = b.source;
        line.raw = raw;
        line.text = raw.size() > kLongLine && raw.find("。") != absl::string_view::npos
                        ? raw
                        : fold(raw);
        if (line.text.empty()) continue;
        line.word_x = WordExtents(b, raw, line.text);
        out->lines.push_back(std::move(line));
      }
      continue;
    }
    for (const auto& row : b.rows) {
      Line line;
      line.source = row.empty() ? b.source : row.front().source;
      line.pipe = true;
      // The row's text "| a | b |", each cell a view into it.
      size_t start = out->folded.size();
      std::vector<std::pair<size_t, size_t>> spans;
      spans.reserve(row.size());
      out->folded += '|';
      for (const DocCell& c : row) {
        out->folded += ' ';
        size_t cell = out->folded.size();
        AppendFolded(c.text, &out->folded);
        spans.emplace_back(cell, out->folded.size() - cell);
        out->folded += " |";
      }
      if (out->folded.find('\n', start) != std::string::npos) {
        std::replace(out->folded.begin() + start, out->folded.end(), '\n', ' ');
      }
      const absl::string_view folded(out->folded);
      line.text = folded.substr(start);
      line.raw = line.text;
      line.cells.reserve(row.size());
      for (auto [at, size] : spans) {
        line.cells.push_back(TrimAsciiSpaces(folded.substr(at, size)));
      }
      line.classes.reserve(line.cells.size());
      for (absl::string_view c : line.cells) line.classes.push_back(ClassifyCell(c));
      // Each label's form once: finding the tables and reading the rows
      // both compare it.
      line.forms.resize(line.classes.size());
      for (size_t k = 0; k < line.classes.size(); ++k) {
        if (line.classes[k].kind == CellKind::kLabel) line.forms[k] = MakeForm(line.classes[k].text);
      }
      bool any = std::any_of(line.cells.begin(), line.cells.end(),
                             [](absl::string_view c) { return !c.empty(); });
      if (!any) continue;
      out->lines.push_back(std::move(line));
    }
  }
}

// Page furniture: "- 3 -", "第 3 页", "第3页 共8页", "3/8".
bool IsPageNumber(absl::string_view t) {
  if (t.size() > 40) return false;
  std::string k;
  for (char c : t) {
    if (c != ' ' && c != '-') k.push_back(c);
  }
  absl::string_view s = k;
  if (absl::ConsumePrefix(&s, "第")) {
    size_t digits = 0;
    while (digits < s.size() && absl::ascii_isdigit(s[digits])) ++digits;
    if (digits == 0) return false;
    s.remove_prefix(digits);
    if (!absl::ConsumePrefix(&s, "页")) return false;
    if (s.empty()) return true;
    if (!absl::ConsumePrefix(&s, "共")) return false;
    digits = 0;
    while (digits < s.size() && absl::ascii_isdigit(s[digits])) ++digits;
    return digits > 0 && s.substr(digits) == "页";
  }
  size_t slash = s.find('/');
  auto all_digits = [](absl::string_view d) {
    return !d.empty() && d.size() <= 4 &&
           std::all_of(d.begin(), d.end(), [](char c) { return absl::ascii_isdigit(c); });
  };
  if (slash != absl::string_view::npos) {
    return all_digits(s.substr(0, slash)) && all_digits(s.substr(slash + 1));
  }
  // "- 3 -" only: a bare number may be a table value and is decided in context.
  return all_digits(s) && t.find('-') != absl::string_view::npos;
}

// A web page's footer, where the page has no article element that leaves
// it out: "版权所有：…", "ICP备…号", "公网安备…", "主办单位：…". No report
// writes these words in its own text.
bool IsSiteFurniture(absl::string_view t) {
  if (t.size() > 300) return false;
  for (const char* w : {"ICP备", "ICP证", "公网安备", "网站标识码"}) {
    if (t.find(w) != absl::string_view::npos) return true;
  }
  for (const char* w : {"版权所有", "Copyright", "copyright", "©", "主办单位：", "主办单位:"}) {
    if (absl::StartsWith(t, w)) return true;
  }
  return false;
}

bool IsBareNumber(absl::string_view t) {
  return !t.empty() && t.size() <= 3 &&
         std::all_of(t.begin(), t.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// ------------------------------------------------------------------ cells

// Classifies one cell. Values are digits with an optional sign, thousands
// separators, a decimal part, a unit (元/万元/件) or OCR letters for digits
// (O for 0, l/I for 1). "—", "-", "/" and "无" are explicit blanks.
// absl::ascii_isspace, inlined: ClassifyCell runs on every cell.
inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Whether a cell starting with `c` (its first byte other than a space) can
// be a value or a blank mark; any other cell is a label. Decides most
// labels without copying them: every cell of every line is classified.
bool MayBeValueOrBlank(absl::string_view t) {
  const char c = t[0];
  if (absl::ascii_isdigit(c)) return true;
  switch (c) {
    case '-': case '+': case '.': case ',': case '/': case '\\':
    case 'O': case 'o': case 'l': case 'I':
      return true;
    default:
      return absl::StartsWith(t, "—") || t == "无";
  }
}

Cell ClassifyCell(absl::string_view raw) {
  Cell cell;
  size_t b = 0, e = raw.size();
  while (b < e && IsAsciiSpace(raw[b])) ++b;
  while (e > b && IsAsciiSpace(raw[e - 1])) --e;
  cell.text = raw.substr(b, e - b);
  // Spaces inside a value (OCR, justified layouts) are dropped: "1 234".
  std::string unspaced;
  absl::string_view t = raw;
  if (raw.find(' ') != absl::string_view::npos) {
    for (char c : raw) {
      if (c != ' ') unspaced.push_back(c);
    }
    t = unspaced;
  }
  if (t.empty() || t == "-" || t == "/" || t == "—" || t == "——" || t == "无" || t == "\\") {
    return cell;  // blank
  }
  if (!MayBeValueOrBlank(t)) {
    cell.kind = CellKind::kLabel;
    return cell;
  }
  // Most values are plain digits.
  if (t.size() <= 18 && std::all_of(t.begin(), t.end(), absl::ascii_isdigit)) {
    int64_t v = 0;
    for (char c : t) v = v * 10 + (c - '0');
    cell.kind = CellKind::kValue;
    cell.count = v;
    return cell;
  }
  absl::string_view s = t;
  bool unit = absl::ConsumeSuffix(&s, "万元") || absl::ConsumeSuffix(&s, "元") ||
              absl::ConsumeSuffix(&s, "件");
  std::string digits;
  bool seen_digit = false, ocr = false, separator = false, bad = false;
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    digits.push_back(s[0]);
    i = 1;
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (absl::ascii_isdigit(c)) {
      digits.push_back(c);
      seen_digit = true;
    } else if (c == 'O' || c == 'o') {
      digits.push_back('0');
      ocr = true;
    } else if (c == 'l' || c == 'I') {
      digits.push_back('1');
      ocr = true;
    } else if (c == ',') {
      separator = true;
    } else if (c == '.') {
      digits.push_back('.');
    } else {
      bad = true;
      break;
    }
  }
  if (bad || (!seen_digit && !(ocr && digits.size() == 1))) {
    cell.kind = CellKind::kLabel;
    return cell;
  }
  cell.kind = CellKind::kValue;
  cell.normalised = ocr || separator;
  int64_t v;
  if (!unit && digits.find('.') == std::string::npos && absl::SimpleAtoi(digits, &v)) {
    cell.count = v;
  }
  return cell;
}

// ------------------------------------------------------------------ matching


int ChineseNumeral(char32_t c) {
  static const std::u32string kNumerals = U"一二三四五六七八九十";
  size_t p = kNumerals.find(c);
  return p == std::u32string::npos ? 0 : static_cast<int>(p) + 1;
}

LabelForm MakeForm(absl::string_view label) {
  LabelForm form;
  form.core = LabelKey32(label);
  size_t i = 0;
  while (i < form.core.size() && form.core[i] >= U'0' && form.core[i] <= U'9' && i < 2) {
    form.number = form.number * 10 + static_cast<int>(form.core[i] - U'0');
    ++i;
  }
  if (i == 0 && !form.core.empty() && form.core.size() > 2) {
    if (int n = ChineseNumeral(form.core[0]); n > 0) {
      form.number = n;
      i = 1;
    }
  }
  form.core.erase(0, i);
  return form;
}

// 1 − edit distance / length of the longer; 0 without computing when the
// lengths alone rule out reaching `floor`.
double Similarity(const std::u32string& a, const std::u32string& b, double floor = 0) {
  if (a.empty() || b.empty()) return 0;
  size_t longest = std::max(a.size(), b.size());
  size_t shortest = std::min(a.size(), b.size());
  if (1.0 - static_cast<double>(longest - shortest) / static_cast<double>(longest) < floor) return 0;
  return 1.0 - static_cast<double>(EditDistance(a, b)) / static_cast<double>(longest);
}

bool Contains(const std::u32string& hay, const std::u32string& needle) {
  return !needle.empty() && hay.find(needle) != std::u32string::npos;
}

// ------------------------------------------------------------------ tables

// One row the reader can fill.
struct RowSpec {
  std::string label;     // template label, for messages
  LabelForm form;
  int arity = 0;         // values per row; 0 for group rows
  bool header_word = false;  // its core is also a column header (其他, 总计)
  std::vector<std::u32string> aliases = {};  // other accepted cores
  int group = -1;        // index of its group row (table 三's （三）–（六）), or -1
  std::string field = {};  // its field path below Report, for UNPLACED
  std::u32string key = {};  // the whole label's key, numbering included (Index)
};

// A table's vocabulary: its rows and the words of its header rows.
struct TableSpec {
  std::string section;   // "二", "三", "四"
  std::vector<RowSpec> rows;
  std::vector<std::u32string> header_words;
  // Rows split into blocks of this many values, the last of each the sum
  // of the others (table 三: 7, table 四: 5); 0 for a table without sums.
  int sum_block = 0;
  // Row cores and aliases → (row index, is alias).
  std::unordered_map<std::u32string, std::vector<std::pair<int, bool>>> exact = {};

  std::unordered_set<std::u32string> header_set = {};

  // Fills `exact` and `header_set`.
  void Index() {
    header_set.insert(header_words.begin(), header_words.end());
    for (size_t r = 0; r < rows.size(); ++r) {
      rows[r].key = LabelKey32(rows[r].label);
      if (!rows[r].form.core.empty()) exact[rows[r].form.core].push_back({static_cast<int>(r), false});
      for (const auto& a : rows[r].aliases) exact[a].push_back({static_cast<int>(r), true});
    }
  }
};

std::u32string U32(absl::string_view s) { return LabelKey32(s); }

const TableSpec& ProactiveSpec() {
  static const TableSpec* spec = [] {
    auto* t = new TableSpec{"二", {}, {}};
    for (const ProactiveRow& r : kProactiveRows) {
      RowSpec row{r.label, MakeForm(r.label), r.kind == ProactiveKind::kDocuments ? 3 : 1};
      row.field = absl::StrCat("proactive_disclosure.", r.field);
      t->rows.push_back(row);
    }
    t->rows[1].aliases.push_back(U32("规范性文件"));
    for (const char* w : {"第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项",
                          "第二十条第（八）项", "信息内容", "本年制发件数", "本年废止件数",
                          "现行有效件数", "本年处理决定数量", "本年收费金额（单位：万元）",
                          "本年新制发件数", "处理决定数量", "收费金额", "单位：万元"}) {
      t->header_words.push_back(U32(w));
    }
    t->Index();
    return t;
  }();
  return *spec;
}

const TableSpec& RequestSpec() {
  static const TableSpec* spec = [] {
    auto* t = new TableSpec{"三", {}, {}};
    for (const RequestRow& r : kRequestRows) {
      RowSpec row{r.label, MakeForm(r.label), r.is_group ? 0 : kApplicantColumnCount};
      row.group = r.group;
      row.field = r.field;
      t->rows.push_back(row);
    }
    t->rows[kOtherHandlingGroup].aliases.push_back(U32("其他"));  // （六）其他
    t->sum_block = kApplicantColumnCount;
    t->rows[kOtherHandlingGroup].header_word = true;
    t->rows[27].header_word = true;              // 3.其他
    t->rows[kOutcomesTotal].header_word = true;  // （七）总计
    for (const char* w : {"本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
                          "申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构",
                          "社会公益组织", "法律服务机构", "其他", "总计"}) {
      t->header_words.push_back(U32(w));
    }
    t->Index();
    return t;
  }();
  return *spec;
}

// Table 四, laid out as one row of fifteen values (the template's layout).
const TableSpec& AppealSpec() {
  static const TableSpec* spec = [] {
    auto* t = new TableSpec{"四", {}, {}};
    t->rows.push_back(RowSpec{"行政复议、行政诉讼（15 项）", {}, 15});
    t->sum_block = kAppealColumnCount;
    for (const char* w : {"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "结果维持",
                          "结果纠正", "其他结果", "尚未审结", "总计", "结果", "维持", "纠正",
                          "其他", "尚未", "审结"}) {
      t->header_words.push_back(U32(w));
    }
    t->Index();
    return t;
  }();
  return *spec;
}

// Table 四 laid out as three rows of five (some agencies print it so).
const TableSpec& AppealVerticalSpec() {
  static const TableSpec* spec = [] {
    auto* t = new TableSpec{"四", {}, AppealSpec().header_words};
    t->sum_block = kAppealColumnCount;
    t->rows.push_back(RowSpec{"行政复议", MakeForm("行政复议"), 5});
    t->rows.push_back(RowSpec{"未经复议直接起诉", MakeForm("未经复议直接起诉"), 5});
    t->rows.push_back(RowSpec{"复议后起诉", MakeForm("复议后起诉"), 5});
    for (int b = 0; b < kAppealBlockCount; ++b) t->rows[b].field = kAppealBlocks[b].field;
    t->rows[1].aliases.push_back(U32("直接起诉"));
    t->header_words.erase(t->header_words.begin(), t->header_words.begin() + 4);
    t->header_words.push_back(U32("行政诉讼"));
    t->Index();
    return t;
  }();
  return *spec;
}

struct Diagnostics {
  std::vector<v1::ImportDiagnostic>* out;

  v1::ImportDiagnostic& Add(v1::ImportDiagnostic::Level level, const Line* line,
                            absl::string_view section, absl::string_view text,
                            absl::string_view expected, std::string message,
                            absl::string_view rule = "") {
    v1::ImportDiagnostic d;
    d.set_level(level);
    if (line) {
      d.set_line(line->source.line);
      d.set_page(line->source.page);
      d.set_x(line->source.x);
      d.set_y(line->source.y);
    }
    d.set_section(std::string(section));
    d.set_text(Shorten(text, 60));
    d.set_expected(std::string(expected));
    d.set_message(std::move(message));
    d.set_rule_id(std::string(rule));
    out->push_back(std::move(d));
    return out->back();
  }
};

// The values found for each row of a table, in the table's row order.
struct RowValues {
  std::vector<Cell> cells;  // exactly `arity` cells once placed
  bool placed = false;
};

// Cells glued without separators, as web crawlers save tables ("801000081"
// for 80 | 1 | 0 | 0 | 0 | 0 | 81): the ways to split the digit runs
// `runs` into `arity` values (no leading zeros, runs not joined) such that
// every block of `block` values adds up to its last. Returns 0, 1 or 2 (two
// or more, or too many to try); with 1, `out` holds the values' texts.
int SplitBySums(const std::vector<absl::string_view>& runs, size_t arity, int block,
                std::vector<absl::string_view>* out) {
  size_t digits = 0;
  for (absl::string_view r : runs) digits += r.size();
  if (block <= 0 || arity % block != 0 || digits < arity || runs.size() >= arity) return 0;
  std::vector<absl::string_view> pieces;
  std::vector<int64_t> values;
  int found = 0, steps = 0;
  constexpr int kMaxSteps = 200000;  // a bound on the search, not a tuning
  std::function<void(size_t, size_t, size_t)> next = [&](size_t run, size_t at, size_t left) {
    if (found > 1 || ++steps > kMaxSteps) return;
    if (run == runs.size()) {
      if (pieces.size() == arity && ++found == 1) *out = pieces;
      return;
    }
    if (at == runs[run].size()) return next(run + 1, 0, left);
    size_t remaining_pieces = arity - pieces.size();
    if (remaining_pieces == 0 || left < remaining_pieces || left > remaining_pieces * 9) return;
    absl::string_view rest = runs[run].substr(at);
    for (size_t len = 1; len <= std::min<size_t>(9, rest.size()); ++len) {
      if (len > 1 && rest[0] == '0') break;
      int64_t v = 0;
      for (char c : rest.substr(0, len)) v = v * 10 + (c - '0');
      size_t index = pieces.size();
      if (index % block == static_cast<size_t>(block - 1)) {
        int64_t sum = 0;
        for (size_t k = index - (block - 1); k < index; ++k) sum += values[k];
        if (sum != v) continue;
      }
      pieces.push_back(rest.substr(0, len));
      values.push_back(v);
      next(run, at + len, left - len);
      pieces.pop_back();
      values.pop_back();
    }
  };
  next(0, 0, digits);
  return steps > kMaxSteps ? 2 : found;
}

// Reads one table part. Rows are identified by labels; values flow to the
// row identified last until it has all of them.
class RowReader {
 public:
  RowReader(const TableSpec& spec, Diagnostics* diags)
      : spec_(spec), diags_(diags), values_(spec.rows.size()) {}

  // Table 四 in its template layout has one unlabeled row of fifteen values.
  void StartWithRow(int row) {
    Identify(row, nullptr);
    implicit_row_ = true;
  }

  void Read(const std::vector<const Line*>& lines) {
    LearnLayouts(lines);
    LearnColumns(lines);
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i]->pipe) {
        ReadPipeRow(*lines[i], lines[i]->classes);
      } else {
        ReadTextLine(*lines[i]);
      }
    }
    Finish(nullptr);
  }

  const std::vector<RowValues>& values() const { return values_; }
  // True when a group row (no numbers in the template) had numbers of its own.
  bool group_had_values(int row) const { return group_values_.count(row) > 0; }
  // The values a group row (none in the template) carried, when it had a
  // full row of them.
  const std::vector<Cell>* group_values(int row) const {
    auto it = group_rows_.find(row);
    return it == group_rows_.end() ? nullptr : &it->second;
  }
  bool identified(int row) const { return identified_.count(row) > 0; }

 private:
  enum class Match { kNone, kHeader, kContinuation, kRow };
  struct Result {
    Match match = Match::kNone;
    int row = -1;
    bool inferred = false;  // not the template's exact label
  };

  // Learns, from rows whose values are complete, at which cell index the
  // values start for a given (cell count, last label index): a blank cell in
  // another row of the same shape is then read at its real column.
  void LearnLayouts(const std::vector<const Line*>& lines) {
    std::map<std::pair<int, int>, std::map<int, int>> votes;
    for (const Line* line : lines) {
      if (!line->pipe || line->classes.empty()) continue;
      const std::vector<Cell>& cells = line->classes;
      int last_label = -1;
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i].kind == CellKind::kLabel) last_label = static_cast<int>(i);
      }
      int first = -1, count = 0;
      bool contiguous = true;
      for (size_t i = last_label + 1; i < cells.size(); ++i) {
        if (cells[i].kind == CellKind::kValue) {
          if (first < 0) first = static_cast<int>(i);
          else if (cells[i - 1].kind != CellKind::kValue) contiguous = false;
          ++count;
        }
      }
      for (const RowSpec& r : spec_.rows) {
        if (r.arity > 1 && count == r.arity && contiguous) {
          ++votes[{static_cast<int>(cells.size()), last_label}][first];
          ++shape_votes_[static_cast<int>(cells.size())][first];
          break;
        }
      }
    }
    for (const auto& [shape, starts] : votes) {
      layouts_[shape] = std::max_element(starts.begin(), starts.end(), [](auto& a, auto& b) {
                          return a.second < b.second;
                        })->first;
    }
  }

  // Paged sources: where the value columns of rows of each arity stand
  // across the page, from the first text line of the table whose words end
  // in that many values, each a word of its own. A row that leaves cells
  // blank is then read by where its values stand (PlaceByColumns).
  void LearnColumns(const std::vector<const Line*>& lines) {
    std::set<size_t> arities;
    for (const RowSpec& r : spec_.rows) {
      if (r.arity > 1) arities.insert(static_cast<size_t>(r.arity));
    }
    for (const Line* line : lines) {
      if (line->pipe || line->word_x.empty()) continue;
      std::vector<absl::string_view> words = absl::StrSplit(line->text, ' ', absl::SkipEmpty());
      if (words.size() != line->word_x.size()) continue;
      size_t n = 0;
      while (n < words.size() && ClassifyCell(words[words.size() - 1 - n]).kind == CellKind::kValue) {
        ++n;
      }
      if (n == 0 || n == words.size()) continue;
      std::vector<std::pair<float, float>> cols;
      for (size_t k = words.size() - n; k < words.size(); ++k) {
        cols.emplace_back(line->word_x[k].x0, line->word_x[k].x1);
      }
      // "行政规范性文件5  12  8": a first value glued to its label, but a word
      // of its own in the source, is a column too.
      const Line::WordX& before = line->word_x[words.size() - n - 1];
      if (before.digits_x0 >= 0 && arities.count(n + 1) && !columns_.count(n + 1)) {
        cols.insert(cols.begin(), {before.digits_x0, before.x1});
        ++n;
      }
      if (!arities.count(n) || columns_.count(n)) continue;
      bool ordered = true;
      for (size_t k = 1; k < n; ++k) ordered &= cols[k].first > cols[k - 1].second;
      if (ordered) columns_[n] = std::move(cols);
    }
  }

  // Fills `out` with `arity` cells from the values collected for a row that
  // has fewer, each in the column it stands in (LearnColumns), the others
  // blank. Only when every value is a word of its own that lies inside one
  // column's band (halfway to the neighbouring columns), no two share a
  // column, and nothing else on the values' lines reaches into a column
  // left blank: glued digits span columns and are left to SplitGlued, and
  // a column holding anything unread is not blank.
  bool PlaceByColumns(size_t arity, std::vector<Cell>* out) const {
    auto it = columns_.find(arity);
    if (it == columns_.end() || collected_.empty() || collected_.size() >= arity) return false;
    const std::vector<std::pair<float, float>>& cols = it->second;
    auto centre = [&](size_t k) { return (cols[k].first + cols[k].second) / 2; };
    // Column k's band; the outer ones reach as far out as their inner halves.
    auto lo = [&](size_t k) {
      return k == 0 ? 1.5f * centre(0) - 0.5f * centre(1) : (centre(k - 1) + centre(k)) / 2;
    };
    auto hi = [&](size_t k) {
      return k + 1 == arity ? 1.5f * centre(k) - 0.5f * centre(k - 1) : (centre(k) + centre(k + 1)) / 2;
    };
    out->assign(arity, Cell{});
    std::vector<bool> filled(arity, false);
    std::set<const Line*> lines;
    int last = -1;
    for (const Cell& c : collected_) {
      if (c.kind != CellKind::kValue || c.x0 < 0 || c.line == nullptr) return false;
      int col = -1;
      for (size_t k = 0; k < arity && col < 0; ++k) {
        if (c.x0 >= lo(k) && c.x1 <= hi(k)) col = static_cast<int>(k);
      }
      if (col <= last) return false;
      (*out)[col] = c;
      filled[col] = true;
      last = col;
      lines.insert(c.line);
    }
    for (const Line* line : lines) {
      for (const Line::WordX& w : line->word_x) {
        for (size_t k = 0; k < arity; ++k) {
          if (!filled[k] && w.x1 > lo(k) && w.x0 < hi(k)) return false;
        }
      }
    }
    return true;
  }

  // `cells`: the line's cells, classified (Line::classes).
  void ReadPipeRow(const Line& line, const std::vector<Cell>& cells) {
    int last_label = -1;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].kind != CellKind::kLabel) continue;
      bool values_follow = false;
      for (size_t j = i + 1; j < cells.size(); ++j) {
        if (cells[j].kind == CellKind::kValue) values_follow = true;
        if (cells[j].kind == CellKind::kLabel) break;
      }
      Result r = Classify(line.forms[i], cells[i].text, values_follow);
      if (r.match == Match::kHeader) continue;
      last_label = static_cast<int>(i);
      Apply(r, cells[i].text, line);
    }
    std::vector<Cell> data(cells.begin() + (last_label + 1), cells.end());
    bool any_value = std::any_of(data.begin(), data.end(),
                                 [](const Cell& c) { return c.kind == CellKind::kValue; });
    if (!any_value) {
      if (current_ >= 0 && collected_.empty() && data.size() >= Arity(current_)) {
        blank_row_ = true;  // the label's cells are there and empty
      }
      return;
    }
    if (current_ < 0 || !collected_.empty()) {
      // A value row with no label waiting for it.
      AddOrphans(data, line, static_cast<int>(cells.size()), last_label);
      return;
    }
    // Laid out in exactly its columns, with values in two cells or more and
    // none written with a leading zero: read as laid out. Glued digits fill
    // one cell (or leave one like "0025"); blank cells beside real values
    // must not make a split of those values look right (export round trip).
    auto value_cells = std::count_if(data.begin(), data.end(),
                                     [](const Cell& c) { return c.kind == CellKind::kValue; });
    bool leading_zero = std::any_of(data.begin(), data.end(), [](const Cell& c) {
      return c.kind == CellKind::kValue && c.text.size() > 1 && c.text[0] == '0';
    });
    bool as_laid_out = data.size() == Arity(current_) && value_cells >= 2 && !leading_zero;
    if (!as_laid_out && SplitGlued(data, line)) return;
    std::vector<Cell> window;
    if (Window(data, static_cast<int>(cells.size()), last_label, Arity(current_), &window)) {
      collected_ = std::move(window);
      Complete(line);
    } else {
      diags_->Add(Level::UNPLACED, &line, spec_.section, line.text,
                  absl::StrCat(Arity(current_), " 个单元格"),
                  absl::StrCat("“", spec_.rows[current_].label, "”行：", Values(data),
                               " 个数值与空格对应 ", Arity(current_),
                               " 列，无法分清各列，该行留空"));
      current_ = -1;
    }
  }

  // Picks the `arity` cells of a row from the cells after its label.
  bool Window(const std::vector<Cell>& data, int cell_count, int last_label, size_t arity,
              std::vector<Cell>* out) {
    auto take = [&](int start) {
      out->assign(data.begin() + start, data.begin() + start + arity);
      return true;
    };
    if (data.size() == arity) return take(0);
    std::vector<int> values;
    values.reserve(data.size());
    for (size_t i = 0; i < data.size(); ++i) {
      if (data[i].kind == CellKind::kValue) values.push_back(static_cast<int>(i));
    }
    // One value repeated over merged cells ("| 行政许可 | 0 | 0 | 0 |").
    if (arity == 1 && !values.empty() &&
        std::all_of(values.begin(), values.end(),
                    [&](int i) { return data[i].text == data[values[0]].text; }) &&
        values.back() - values.front() + 1 == static_cast<int>(values.size())) {
      return take(values.front());
    }
    if (values.size() == arity && values.back() - values.front() + 1 == static_cast<int>(arity)) {
      return take(values.front());
    }
    if (data.size() < arity) return false;
    // The learned layout of rows of this shape, else of this width.
    auto fits = [&](int start) {
      return start >= 0 && start + static_cast<int>(arity) <= static_cast<int>(data.size()) &&
             values.front() >= start && values.back() < start + static_cast<int>(arity);
    };
    if (auto it = layouts_.find({cell_count, last_label}); it != layouts_.end()) {
      int start = it->second - (last_label + 1);
      if (fits(start)) return take(start);
    }
    if (auto it = shape_votes_.find(cell_count); it != shape_votes_.end()) {
      int best = std::max_element(it->second.begin(), it->second.end(), [](auto& a, auto& b) {
                   return a.second < b.second;
                 })->first;
      if (fits(best)) return take(best);
    }
    // Only one position leaves every value inside the row.
    int position = -1, positions = 0;
    for (int start = 0; start + static_cast<int>(arity) <= static_cast<int>(data.size()); ++start) {
      if (fits(start)) {
        position = start;
        ++positions;
      }
    }
    return positions == 1 && take(position);
  }

  // A text line: label runs and value tokens separated by spaces.
  void ReadTextLine(const Line& line) {
    std::vector<Cell> cells;
    size_t word = 0;
    for (absl::string_view t : absl::StrSplit(line.text, ' ', absl::SkipEmpty())) {
      Cell c = ClassifyCell(t);
      const Line::WordX* x = word < line.word_x.size() ? &line.word_x[word] : nullptr;
      if (x != nullptr) c.x0 = x->x0, c.x1 = x->x1, c.line = &line;
      ++word;
      // A row label glued to its first value ("规章0 0 0", "行政许可733641"):
      // no label of the template ends in a digit, so a label that does and
      // reads as a row without its digits is that row and a value.
      size_t digits = t.size();
      while (digits > 0 && (absl::ascii_isdigit(t[digits - 1]) || t[digits - 1] == '.' ||
                            t[digits - 1] == ',')) {
        --digits;
      }
      while (digits < t.size() && !absl::ascii_isdigit(t[digits])) ++digits;
      if (c.kind == CellKind::kLabel && digits > 0 && digits < t.size() &&
          Classify(t.substr(0, digits), true).match == Match::kRow) {
        Cell value = ClassifyCell(t.substr(digits));
        if (value.kind == CellKind::kValue) {
          if (x != nullptr && x->digits_x0 >= 0 && value.count &&
              std::all_of(value.text.begin(), value.text.end(), absl::ascii_isdigit)) {
            value.x0 = x->digits_x0, value.x1 = x->x1, value.line = &line;
          }
          cells.push_back(ClassifyCell(t.substr(0, digits)));
          cells.push_back(std::move(value));
          continue;
        }
      }
      cells.push_back(std::move(c));
    }
    // "1 属于国家秘密": a leading small number before a label is its numbering.
    if (cells.size() >= 2 && cells[0].count && *cells[0].count > 0 && *cells[0].count <= 8 &&
        cells[1].kind == CellKind::kLabel && cells[0].text.size() == 1) {
      synthesized_.push_back(absl::StrCat(cells[0].text, ".", cells[1].text));
      cells[1].text = synthesized_.back();
      cells.erase(cells.begin());
    }
    bool has_label = false;
    for (const Cell& c : cells) has_label |= c.kind == CellKind::kLabel;
    if (!has_label && cells.size() == 1 && IsBareNumber(line.text) &&
        (current_ < 0 || collected_.size() >= Arity(current_))) {
      diags_->Add(Level::NOTE, &line, spec_.section, line.text, "",
                  "两行之间单独的数字按页码处理");
      return;
    }
    size_t i = 0;
    while (i < cells.size()) {
      if (cells[i].kind == CellKind::kLabel) {
        std::string label(cells[i].text);
        size_t j = i + 1;
        while (j < cells.size() && cells[j].kind == CellKind::kLabel) {
          absl::StrAppend(&label, " ", cells[j].text);
          ++j;
        }
        bool values_follow = j < cells.size();
        Result r = Classify(label, values_follow);
        if (r.match == Match::kNone && j - i > 1) {
          // Several words, e.g. a header row "信息内容 本年制发件数 …": each
          // word on its own.
          for (size_t k = i; k < j; ++k) {
            Result w = Classify(cells[k].text, values_follow && k + 1 == j);
            if (w.match != Match::kHeader) Apply(w, cells[k].text, line);
          }
        } else if (r.match != Match::kHeader) {
          Apply(r, label, line);
        }
        i = j;
        continue;
      }
      std::vector<Cell> run;
      while (i < cells.size() && cells[i].kind != CellKind::kLabel) run.push_back(cells[i++]);
      if (current_ < 0 || collected_.size() >= Arity(current_)) {
        AddOrphans(run, line, -1, -1);
        continue;
      }
      for (Cell& c : run) {
        if (collected_.size() < Arity(current_)) {
          collected_.push_back(std::move(c));
        } else {
          AddOrphans({c}, line, -1, -1);
        }
      }
      if (collected_.size() == Arity(current_)) Complete(line);
    }
  }

  // The row being read from `data` when its values are fewer than its
  // columns and are glued digit runs with exactly one split that adds up
  // (SplitBySums): each cell so read is reported as inferred. Several
  // splits: the row is left unread. Returns whether the row was dealt with.
  bool SplitGlued(const std::vector<Cell>& data, const Line& line) {
    if (spec_.sum_block == 0 || current_ < 0) return false;
    const RowSpec& row = spec_.rows[current_];
    std::vector<absl::string_view> runs;
    for (const Cell& c : data) {
      if (c.kind != CellKind::kValue) continue;
      if (!c.count || c.normalised || *c.count < 0 ||
          !std::all_of(c.text.begin(), c.text.end(), absl::ascii_isdigit)) {
        return false;
      }
      runs.push_back(c.text);
    }
    std::vector<absl::string_view> split;
    int ways = SplitBySums(runs, Arity(current_), spec_.sum_block, &split);
    size_t digits = 0, longest = 0;
    for (absl::string_view r : runs) {
      digits += r.size();
      longest = std::max(longest, r.size());
    }
    // No split adds up: a count of a million or more in a row missing
    // cells is glued digits all the same, not a number to keep.
    if (ways == 0 && !(runs.size() < Arity(current_) && digits >= Arity(current_) && longest >= 7)) {
      return false;
    }
    std::string glued = absl::StrJoin(runs, " ");
    std::string message = absl::StrCat("“", row.label, "”行：单元格数字连在一起（", glued, "），");
    if (ways == 1) {
      absl::StrAppend(&message, "按唯一符合本行合计的拆分读作 ", absl::StrJoin(split, " | "),
                      "（推断所得，请对照原文核对）");
    } else {
      absl::StrAppend(&message, ways == 0 ? "没有符合本行合计的拆分" : "有多种符合本行合计的拆分",
                      "，该行单元格未读取");
    }
    v1::ImportDiagnostic& d = diags_->Add(ways == 1 ? Level::NOTE : Level::UNPLACED, &line,
                                          spec_.section, glued, row.label, std::move(message));
    d.set_inferred(ways == 1);
    if (!row.field.empty()) {
      d.add_field_paths(row.field);
    } else if (spec_.section == std::string("四")) {
      for (const AppealBlock& b : kAppealBlocks) d.add_field_paths(b.field);
    }
    if (ways != 1) {
      collected_.clear();
      current_ = -1;
      return true;
    }
    collected_.clear();
    for (absl::string_view piece : split) collected_.push_back(ClassifyCell(piece));
    Complete(line);
    return true;
  }

  size_t Arity(int row) const { return static_cast<size_t>(spec_.rows[row].arity); }

  Result Classify(absl::string_view text, bool values_follow) {
    return Classify(MakeForm(text), text, values_follow);
  }

  // The same, with the form of `text` already made.
  Result Classify(const LabelForm& form, absl::string_view text, bool values_follow) {
    Result none;
    if (form.core.empty()) return none;
    // The exact label or an alias (one lookup: the common case).
    int best = -1;
    double best_score = 0;
    bool inferred = false;
    if (auto it = spec_.exact.find(form.core); it != spec_.exact.end()) {
      for (const auto& [r, alias] : it->second) {
        const RowSpec& row = spec_.rows[r];
        // 其他 and 总计 are also column headers: decided with the headers below.
        if (row.header_word && IsHeaderWord(form.core)) continue;
        double score = (alias ? 2.9 : 3) + Preference(r, form);
        if (score > best_score) {
          best_score = score;
          best = r;
          inferred = alias || (form.number != 0 && form.number != row.form.number);
        }
      }
      if (best >= 0) return {Match::kRow, best, inferred};
    }
    // A group label glued in front of a row's label by the layout: one or
    // two characters of a vertical label ("理 4.保护第三方合法权益") or the
    // group's own label ("(四)无法提供 1.本机关不掌握相关政府信息").
    for (size_t sp = text.find(' '); sp != absl::string_view::npos; sp = text.find(' ', sp + 1)) {
      absl::string_view head = text.substr(0, sp);
      absl::string_view tail = absl::StripLeadingAsciiWhitespace(text.substr(sp + 1));
      LabelForm tail_form = MakeForm(tail);
      if (tail_form.core.empty()) continue;
      bool tail_exact = spec_.exact.count(tail_form.core) > 0;
      std::u32string head_key = LabelKey32(head);
      bool numbering = std::all_of(head_key.begin(), head_key.end(), [](char32_t c) {
        return (c >= U'0' && c <= U'9') || ChineseNumeral(c) > 0;
      });
      if (numbering) continue;  // "(七) 总计" is one label
      LabelForm head_form = MakeForm(head);
      // The first part of a group label wrapped in its narrow column, beside
      // the first part of a row label wrapped in its own ("(六)其他处
      // 2.申请人逾期…其政府信息公" above "理 开申请 0 0 …").
      bool group_part = false;
      for (const RowSpec& g : spec_.rows) {
        group_part |= g.arity == 0 && head_form.core.size() >= 2 && Contains(g.form.core, head_form.core);
      }
      // Or fragments of group labels, each of its words part of one with its
      // numbering ("(六)其 2.申请人逾期…缴", "三、本 (四)无 法提供 2.没有…").
      if (!group_part) group_part = AllGroupFragments(head);
      if (!tail_exact && !group_part) continue;
      if (head_form.core.size() > 3 && !spec_.exact.count(head_form.core) && !group_part) continue;
      Result r = Classify(tail, values_follow);
      if (r.match == Match::kRow && (tail_exact || !r.inferred)) return r;
    }
    // The same with nothing between the two labels, as a table whose group
    // column is merged into its row labels prints them ("(三)不予公开1.属于
    // 国家秘密", "三、本年度办理结果(一)予以公开"): both must be the
    // template's labels, the second starting with its numbering.
    for (size_t at = 1; at + 1 < text.size(); ++at) {
      char c = text[at];
      bool numbering = c == '(' || (absl::ascii_isdigit(c) && !absl::ascii_isdigit(text[at - 1]) &&
                                    (text[at + 1] == '.' || absl::StartsWith(text.substr(at + 1), "、")));
      if (!numbering) continue;
      LabelForm head_form = MakeForm(text.substr(0, at));
      LabelForm tail_form = MakeForm(text.substr(at));
      if (head_form.core.empty() || tail_form.core.empty() || !spec_.exact.count(head_form.core) ||
          !spec_.exact.count(tail_form.core)) {
        continue;
      }
      Result r = Classify(text.substr(at), values_follow);
      if (r.match == Match::kRow) return r;
    }
    // Column headers, unless the word is also a row (其他, 总计) and values
    // follow it or it carries the row's numbering.
    auto header_row = [&]() -> int {
      for (size_t r = 0; r < spec_.rows.size(); ++r) {
        const RowSpec& row = spec_.rows[r];
        bool core_match = row.form.core == form.core ||
                          std::find(row.aliases.begin(), row.aliases.end(), form.core) !=
                              row.aliases.end();
        if (row.header_word && core_match &&
            (form.number == row.form.number || (values_follow && row.arity > 0)) &&
            !values_[r].placed) {
          return static_cast<int>(r);
        }
      }
      return -1;
    };
    bool header = IsHeaderWord(form.core);
    for (size_t i = 0; !header && form.core.size() >= 2 && i < spec_.header_words.size(); ++i) {
      header = Contains(spec_.header_words[i], form.core);
    }
    if (header) {
      int r = header_row();
      if (r >= 0) return {Match::kRow, r, form.number != spec_.rows[r].form.number};
      return {Match::kHeader};
    }
    // The rest of a label split over lines — unless it starts with another
    // row's number: "8.属于行" after 7.属于行政执法案卷 starts row 8.
    absl::string_view lead = absl::StripLeadingAsciiWhitespace(text);
    bool renumbered = !lead.empty() && absl::ascii_isdigit(lead[0]) && last_row_ >= 0 &&
                      form.number != spec_.rows[last_row_].form.number;
    if (last_row_ >= 0 && form.core.size() >= 2 && !renumbered &&
        Contains(spec_.rows[last_row_].form.core, form.core)) {
      return {Match::kContinuation, last_row_};
    }
    // One character only when it ends the label of the row still waiting
    // for its values ("(二)部分公开(…不计其他情" above "形) 14 0 …").
    if (last_row_ >= 0 && form.core.size() == 1 && !renumbered && current_ == last_row_ &&
        collected_.empty() && spec_.rows[last_row_].arity > 0 &&
        spec_.rows[last_row_].form.core.size() > 1 &&
        spec_.rows[last_row_].form.core.back() == form.core[0]) {
      return {Match::kContinuation, last_row_};
    }
    // The rest of its group's label, wrapped in the group's narrow column
    // beside the row ("(六)其" above, "他处理" on the row's next line); one
    // character only when it ends the group's label ("(六)其他处" above,
    // "理" below).
    if (last_row_ >= 0 && !form.core.empty() && spec_.rows[last_row_].group >= 0) {
      const std::u32string& group = spec_.rows[spec_.rows[last_row_].group].form.core;
      if (form.core.size() >= 2 ? Contains(group, form.core)
                                : group.size() > 1 && group.back() == form.core[0]) {
        return {Match::kContinuation, last_row_};
      }
    }
    // The first part of a split label, or the label with an OCR slip.
    for (size_t r = 0; r < spec_.rows.size(); ++r) {
      const RowSpec& row = spec_.rows[r];
      const std::u32string& core = row.form.core;
      if (core.empty()) continue;
      double score = 0;
      bool fuzzy = false;
      if (form.core.size() >= 2 && form.core.size() < core.size() &&
          core.compare(0, form.core.size(), form.core) == 0) {
        score = 2;  // the first part of a label split over lines
      } else {
        fuzzy = true;
        double threshold = core.size() <= 3 ? 0.99 : 0.7;
        double sim = Similarity(form.core, core, threshold);
        for (const auto& alias : row.aliases) {
          sim = std::max(sim, Similarity(form.core, alias, threshold));
        }
        // A split first part with a slip: compare with the label's start.
        if (form.core.size() >= 4 && form.core.size() < core.size()) {
          sim = std::max(sim, Similarity(form.core, core.substr(0, form.core.size())) - 0.05);
        }
        if (sim >= threshold) score = 1 + sim;
      }
      if (score == 0) continue;
      score += Preference(static_cast<int>(r), form);
      if (score > best_score) {
        best_score = score;
        best = static_cast<int>(r);
        inferred = fuzzy;
      }
    }
    if (best >= 0) return {Match::kRow, best, inferred};
    return none;
  }

  // Every space-separated word of `text` is a piece of a group label (its
  // key, numbering included, inside the group's; one character only when it
  // ends the group's label).
  bool AllGroupFragments(absl::string_view text) const {
    bool any = false;
    for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
      std::u32string k = LabelKey32(word);
      if (k.empty()) return false;
      bool part = false;
      for (const RowSpec& g : spec_.rows) {
        if (g.arity != 0 || g.key.size() < 2) continue;
        part |= k.size() >= 2 ? Contains(g.key, k) : g.key.back() == k[0];
      }
      if (!part) return false;
      any = true;
    }
    return any;
  }

  bool IsHeaderWord(const std::u32string& core) const { return spec_.header_set.count(core) > 0; }

  // Prefers rows not yet read, at or after the next expected row, with the
  // same numbering.
  double Preference(int row, const LabelForm& form) const {
    double p = 0;
    if (values_[row].placed) p -= 1;
    if (row >= next_) p += 0.3;
    p -= 0.005 * std::abs(row - next_);
    if (form.number != 0 && form.number == spec_.rows[row].form.number) p += 0.5;
    return p;
  }

  void Apply(const Result& r, absl::string_view text, const Line& line) {
    switch (r.match) {
      case Match::kHeader:
      case Match::kContinuation:
        return;
      case Match::kRow:
        if (r.inferred) {
          diags_->Add(Level::NOTE, &line, spec_.section, text, spec_.rows[r.row].label,
                      absl::StrCat("标签“", Shorten(text, 60), "”按模板标签“",
                                   spec_.rows[r.row].label, "”读取"),
                      RuleOf(RuleId::kSLabel).id);
        }
        Identify(r.row, &line);
        return;
      case Match::kNone:
        Unknown(text, line);
        return;
    }
  }

  void Identify(int row, const Line* line) {
    // A label repeated over merged cells ("| 一、… | 一、… | 8 |") names
    // the row being read once more.
    if (row == current_ && collected_.empty()) return;
    Finish(line);
    identified_.insert(row);
    last_row_ = row;
    if (spec_.rows[row].arity == 0) {
      current_ = -1;
    } else {
      current_ = row;
      row_line_ = line;
    }
    next_ = std::max(next_, row + 1);
  }

  // A label that is no row of the template: values after it are not the
  // previous row's.
  void Unknown(absl::string_view text, const Line& line) {
    if (!implicit_row_) Finish(&line);
    last_row_ = -1;
    diags_->Add(Level::NOTE, &line, spec_.section, text,
                next_ < static_cast<int>(spec_.rows.size()) ? spec_.rows[next_].label : "",
                "不是本表标签的文字，已忽略");
  }

  void AddOrphans(const std::vector<Cell>& data, const Line& line, int cell_count,
                  int last_label) {
    if (last_row_ >= 0 && spec_.rows[last_row_].arity == 0) {
      group_values_.insert(last_row_);
      std::vector<Cell> values;
      for (const Cell& c : data) {
        if (c.kind == CellKind::kValue) values.push_back(c);
      }
      if (values.size() == kApplicantColumnCount && !group_rows_.count(last_row_)) {
        group_rows_[last_row_] = std::move(values);
        group_line_[last_row_] = line;
        return;
      }
    }
    for (const Cell& c : data) {
      if (c.kind == CellKind::kValue) {
        orphans_.push_back({line, data, cell_count, last_label});
        return;
      }
    }
  }

  // Ends the row being read: it is complete, takes the value row that stood
  // before its label, is blank in a pipe table, or is reported.
  void Finish(const Line* at) {
    if (current_ >= 0 && !values_[current_].placed) {
      const RowSpec& row = spec_.rows[current_];
      const Line* where = row_line_ ? row_line_ : at;
      std::vector<Cell> window;
      if (where != nullptr && PlaceByColumns(row.arity, &window)) {
        diags_->Add(Level::NOTE, where, spec_.section, where->text, row.label,
                    absl::StrCat("“", row.label, "”行：", collected_.size(), " 个数值按所在列的位置读取，其余 ",
                                 row.arity - collected_.size(), " 列为空"));
        collected_ = std::move(window);
        Complete(*where);
      } else if (!collected_.empty() && collected_.size() < static_cast<size_t>(row.arity) &&
          where != nullptr && SplitGlued(std::vector<Cell>(collected_), *where)) {
        // read from cells glued together
      } else if (collected_.empty() && orphans_.size() == 1 &&
          Window(orphans_[0].cells, orphans_[0].cell_count, -1, row.arity, &window)) {
        Line from = orphans_[0].line;
        orphans_.clear();
        diags_->Add(Level::NOTE, &from, spec_.section, from.text, row.label,
                    absl::StrCat("与标签分开的数值按“", row.label, "”行读取"));
        collected_ = std::move(window);
        Complete(from);
      } else if (collected_.empty() && blank_row_) {
        diags_->Add(Level::NOTE, where, spec_.section, where ? where->text : "", row.label,
                    absl::StrCat("“", row.label, "”行为空"));
      } else {
        v1::ImportDiagnostic& d = diags_->Add(
            Level::UNPLACED, where, spec_.section, where ? where->text : "",
            absl::StrCat(row.arity, " 个数值"),
            absl::StrCat("“", row.label, "”行：应有 ", row.arity, " 个数值，只找到 ",
                         collected_.size(), " 个，该行单元格留空"));
        if (!row.field.empty()) {
          d.add_field_paths(row.field);
        } else if (spec_.section == std::string("四")) {
          for (const AppealBlock& b : kAppealBlocks) d.add_field_paths(b.field);
        }
        ReportOrphans();
      }
    }
    if (at == nullptr) ReportOrphans();  // end of the table
    current_ = -1;
    collected_.clear();
    blank_row_ = false;
    row_line_ = nullptr;
  }

  // Values that no row took.
  void ReportOrphans() {
    for (const Orphan& o : orphans_) {
      diags_->Add(Level::UNPLACED, &o.line, spec_.section, o.line.text,
                  next_ < static_cast<int>(spec_.rows.size()) ? spec_.rows[next_].label : "",
                  absl::StrCat(Values(o.cells), " 个数值不属于模板的任何一行"));
    }
    orphans_.clear();
  }

  void Complete(const Line& line) {
    RowValues& v = values_[current_];
    v.cells = std::move(collected_);
    v.placed = true;
    for (const Cell& c : v.cells) {
      if (c.normalised) {
        diags_->Add(Level::NOTE, &line, spec_.section, c.text, "",
                    "数值中的识别错字或千位分隔符已规范化");
      }
    }
    collected_.clear();
    current_ = -1;
    ReportOrphans();  // values before this row's label were not its own
  }

  static int Values(const std::vector<Cell>& cells) {
    return static_cast<int>(std::count_if(cells.begin(), cells.end(), [](const Cell& c) {
      return c.kind == CellKind::kValue;
    }));
  }

  struct Orphan {
    Line line;
    std::vector<Cell> cells;
    int cell_count;
    int last_label;
  };

  const TableSpec& spec_;
  Diagnostics* diags_;
  std::vector<RowValues> values_;
  std::deque<std::string> synthesized_;  // labels made of several tokens
  std::map<std::pair<int, int>, int> layouts_;
  std::map<int, std::map<int, int>> shape_votes_;
  std::map<size_t, std::vector<std::pair<float, float>>> columns_;  // by arity
  std::set<int> identified_;
  std::set<int> group_values_;
  std::map<int, std::vector<Cell>> group_rows_;
 public:
  std::map<int, Line> group_line_;
 private:
  std::vector<Orphan> orphans_;
  std::vector<Cell> collected_;
  const Line* row_line_ = nullptr;
  int current_ = -1;   // row receiving values
  int last_row_ = -1;  // row identified last, for continuations
  int next_ = 0;       // next row in template order
  bool blank_row_ = false;
  bool implicit_row_ = false;  // the table's one row has no label (table 四)
};

// ------------------------------------------------------------------ parts

struct PartHeading {
  std::u32string core;  // heading key without its numeral
};

const std::vector<PartHeading>& PartHeadings() {
  static const std::vector<PartHeading>* headings = [] {
    auto* v = new std::vector<PartHeading>;
    for (const Part& p : kParts) v->push_back({MakeForm(p.heading).core});
    return v;
  }();
  return *headings;
}

// The part (0..5) a line is the heading of, or -1. Only parts after `after`
// can start: the six parts come in order. A heading numbered as the
// template numbers it ("三、…", "三 …", "三．…") may deviate a little from
// the template's words; one numbered otherwise (the agency's own "四、" for
// the template's 五, a caption "表二：…"), or not numbered at all, must say
// the template's words. "（三）…" is a sub-heading of the narrative. `exact`
// is false for a heading that is not the template's exactly.
int HeadingOf(const Line& line, int after, bool* exact) {
  if (line.pipe || line.text.size() > 120) return -1;
  if (line.text[0] == '(') return -1;
  absl::string_view text = line.text;
  bool caption = absl::ConsumePrefix(&text, "表");  // 表二：… / 表 2 …
  LabelForm form = MakeForm(text);
  if (caption && form.number == 0) return -1;
  if (!caption && form.number >= 1 && form.number <= kPartCount && form.number - 1 > after) {
    const std::u32string& core = PartHeadings()[form.number - 1].core;
    *exact = form.core == core;
    if (*exact) return form.number - 1;
    // Longer than a heading: a numbered paragraph of the narrative.
    if (form.core.size() <= core.size() + 4) {
      double sim = Similarity(form.core, core, 0.6);
      if (form.core.size() >= 4 && Contains(core, form.core)) sim = std::max(sim, 0.8);
      if (sim >= 0.6) return form.number - 1;
    }
  }
  for (int part = after + 1; part < kPartCount; ++part) {
    const std::u32string& core = PartHeadings()[part].core;
    if (form.core == core || Similarity(form.core, core, 0.85) >= 0.85) {
      *exact = false;
      return part;
    }
  }
  return -1;
}

// Words of the 2019 试行 format that the 2021 template does not have, in a
// table-like line: in a table row's label cells (their forms, made once), in
// a short line anywhere.
const char* Template2019Word(const Line& line) {
  static const char* const kWords[] = {"本年新制作数量", "其他对外管理服务事项", "政府集中采购"};
  static const std::u32string kKeys[] = {U"本年新制作数量", U"其他对外管理服务事项", U"政府集中采购"};
  if (line.pipe) {
    for (const LabelForm& form : line.forms) {
      if (form.core.size() < 6) continue;
      for (size_t w = 0; w < 3; ++w) {
        if (form.core.find(kKeys[w]) != std::u32string::npos) return kWords[w];
      }
    }
    return nullptr;
  }
  for (const char* w : kWords) {
    if (line.text.find(w) != absl::string_view::npos) return w;
  }
  return nullptr;
}

bool ParseYear(absl::string_view text, int* year) {
  for (size_t i = 0; i + 4 <= text.size(); ++i) {
    if (!absl::ascii_isdigit(text[i]) || (i > 0 && absl::ascii_isdigit(text[i - 1]))) continue;
    if (i + 4 < text.size() && absl::ascii_isdigit(text[i + 4])) continue;
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(text.substr(i + 4));
    int y;
    if (absl::StartsWith(rest, "年") && absl::SimpleAtoi(text.substr(i, 4), &y) && y >= 2000 &&
        y <= 2100) {
      *year = y;
      return true;
    }
  }
  return false;
}

// Fills the report's cells from what the readers placed.
void PlaceProactive(const RowReader& reader, v1::Report* report, Diagnostics* diags) {
  for (int row = 0; row < kProactiveRowCount; ++row) {
    const RowValues& v = reader.values()[row];
    if (!v.placed) continue;
    if (kProactiveRows[row].kind == ProactiveKind::kFee) {
      if (v.cells[0].kind == CellKind::kValue) SetFee(report, std::string(v.cells[0].text));
      continue;
    }
    for (size_t col = 0; col < v.cells.size(); ++col) {
      const Cell& c = v.cells[col];
      if (c.kind != CellKind::kValue) continue;
      if (c.count) {
        SetProactiveCount(report, row, static_cast<int>(col), c.count);
      } else {
        diags->Add(Level::UNPLACED, nullptr, "二", c.text, "整数",
                   absl::StrCat("“", kProactiveRows[row].label, "”为“", c.text,
                                "”，不是整数，该单元格留空"));
      }
    }
  }
}

void PlaceCells(const std::vector<Cell>& cells, const char* section, const std::string& label,
                Diagnostics* diags, const std::function<void(int, int64_t)>& set) {
  for (size_t col = 0; col < cells.size(); ++col) {
    const Cell& c = cells[col];
    if (c.kind != CellKind::kValue) continue;
    if (c.count) {
      set(static_cast<int>(col), *c.count);
    } else {
      diags->Add(Level::UNPLACED, nullptr, section, c.text, "整数",
                 absl::StrCat("“", label, "”为“", c.text, "”，不是整数，该单元格留空"));
    }
  }
}

void ReadProactive(const std::vector<const Line*>& lines, v1::Report* report,
                   Diagnostics* diags) {
  RowReader reader(ProactiveSpec(), diags);
  reader.Read(lines);
  PlaceProactive(reader, report, diags);
}

absl::Status ReadRequests(const std::vector<const Line*>& lines, v1::Report* report,
                          Diagnostics* diags) {
  RowReader reader(RequestSpec(), diags);
  reader.Read(lines);
  // （六）其他处理 as one row with numbers of its own: the 2019 format, or a
  // 2021-format report that printed the group without its three items.
  if (reader.group_had_values(kOtherHandlingGroup) && !reader.identified(25) &&
      !reader.identified(26) && !reader.identified(27)) {
    if (report->year() > 0 && report->year() < 2021) {
      return absl::FailedPreconditionError(
          "此报告为 2019 年试行格式（国办公开办函〔2019〕60号）：表三“（六）其他处理”为单行。"
          "2021 年及以后的报告须使用国办公开办函〔2021〕30号格式");
    }
    const std::vector<Cell>* sums = reader.group_values(kOtherHandlingGroup);
    const Line* at = sums ? &reader.group_line_.at(kOtherHandlingGroup) : nullptr;
    bool zeros = sums != nullptr && std::all_of(sums->begin(), sums->end(), [](const Cell& c) {
                   return c.count && *c.count == 0;
                 });
    if (zeros) {
      // Counts are never negative: items that sum to 0 are each 0, the one
      // reading that satisfies the row.
      for (int item = 25; item <= 27; ++item) {
        v1::ApplicantCounts* counts = MutableRequestRow(report, item);
        for (int col = 0; col < kApplicantColumnCount; ++col) SetApplicantCell(counts, col, 0);
      }
      v1::ImportDiagnostic& d = diags->Add(Level::NOTE, at, "三", "（六）其他处理", "1.… 2.… 3.其他",
                                           "“（六）其他处理”只印作一行 0：其三个分项推断为 0");
      for (int item = 25; item <= 27; ++item) d.add_field_paths(kRequestRows[item].field);
      d.set_inferred(true);
    } else {
      v1::ImportDiagnostic& d = diags->Add(
          Level::UNPLACED, at, "三", "（六）其他处理", "1.… 2.… 3.其他",
          "“（六）其他处理”只印作一行、没有分项：无法得知其数值如何分到三个分项，分项未读取");
      for (int item = 25; item <= 27; ++item) d.add_field_paths(kRequestRows[item].field);
    }
  }
  for (int row = 0; row < kRequestRowCount; ++row) {
    const RowValues& v = reader.values()[row];
    if (!v.placed) continue;
    v1::ApplicantCounts* counts = MutableRequestRow(report, row);
    PlaceCells(v.cells, "三", kRequestRows[row].label, diags,
               [&](int col, int64_t value) { SetApplicantCell(counts, col, value); });
  }
  return absl::OkStatus();
}

void ReadAppeals(const std::vector<const Line*>& lines, v1::Report* report, Diagnostics* diags) {
  // Vertical layout: a block label followed by values on its own line.
  bool vertical = false;
  for (const Line* line : lines) {
    std::string key = LabelKey(line->pipe && !line->cells.empty() ? line->cells[0] : line->text);
    bool block = absl::StartsWith(key, "行政复议") || absl::StartsWith(key, "未经复议直接起诉") ||
                 absl::StartsWith(key, "直接起诉") || absl::StartsWith(key, "复议后起诉");
    if (!block) continue;
    bool values = false;
    if (line->pipe) {
      for (size_t i = 1; i < line->cells.size(); ++i) {
        values |= ClassifyCell(line->cells[i]).kind == CellKind::kValue;
      }
    } else {
      for (absl::string_view t : absl::StrSplit(line->text, ' ', absl::SkipEmpty())) {
        values |= ClassifyCell(t).kind == CellKind::kValue;
      }
    }
    vertical |= values;
  }
  RowReader reader(vertical ? AppealVerticalSpec() : AppealSpec(), diags);
  if (!vertical) reader.StartWithRow(0);
  reader.Read(lines);
  for (size_t row = 0; row < reader.values().size(); ++row) {
    const RowValues& v = reader.values()[row];
    if (!v.placed) continue;
    for (size_t i = 0; i < v.cells.size(); ++i) {
      int block = vertical ? static_cast<int>(row) : static_cast<int>(i) / kAppealColumnCount;
      int col = vertical ? static_cast<int>(i) : static_cast<int>(i) % kAppealColumnCount;
      std::vector<Cell> one = {v.cells[i]};
      PlaceCells(one, "四", kAppealBlocks[block].label, diags, [&](int, int64_t value) {
        SetAppealCell(MutableAppealBlock(report, block), col, value);
      });
    }
  }
}

// ------------------------------------------------------------------ tables by content

// The words that say which table a line belongs to: the row labels of each
// table and the header words no other table has (not 其他, 总计, 信息内容).
const std::unordered_map<std::u32string, int>& TableWords() {
  static const auto* words = [] {
    auto* w = new std::unordered_map<std::u32string, int>;
    const TableSpec* specs[] = {&ProactiveSpec(), &RequestSpec(), &AppealVerticalSpec()};
    for (int t = 0; t < 3; ++t) {
      for (const RowSpec& r : specs[t]->rows) {
        if (!r.form.core.empty() && !r.header_word) w->emplace(r.form.core, t);
      }
      for (const std::u32string& h : specs[t]->header_words) w->emplace(h, t);
    }
    for (const char* shared : {"其他", "总计", "信息内容", "结果", "其他结果"}) w->erase(U32(shared));
    return w;
  }();
  return *words;
}

// What a line says about the table it stands in.
struct LineClue {
  int table = -1;      // the table its words name, or -1
  bool value = false;  // it has a value cell
  bool tabular = false;  // a table row, or short enough to be part of one
};

LineClue ClueOf(const Line& line) {
  LineClue clue;
  int votes[3] = {0, 0, 0};
  auto look = [&](absl::string_view cell) {
    Cell c = ClassifyCell(cell);
    if (c.kind == CellKind::kValue) clue.value = true;
    if (c.kind != CellKind::kLabel) return;
    auto it = TableWords().find(MakeForm(cell).core);
    if (it != TableWords().end()) ++votes[it->second];
  };
  if (line.pipe) {
    clue.tabular = true;
    for (size_t k = 0; k < line.classes.size(); ++k) {
      const Cell& c = line.classes[k];
      if (c.kind == CellKind::kValue) clue.value = true;
      if (c.kind != CellKind::kLabel) continue;
      auto it = TableWords().find(line.forms[k].core);
      if (it != TableWords().end()) ++votes[it->second];
    }
  } else {
    if (line.text.size() > 160 || line.text.find("。") != absl::string_view::npos) return clue;
    // Laid-out rows keep their columns apart by two or more spaces.
    for (absl::string_view cell : absl::StrSplit(line.text, "  ", absl::SkipWhitespace())) look(cell);
    clue.tabular = clue.value || line.text.size() <= 48 || line.text.find("  ") != absl::string_view::npos;
  }
  int best = std::max_element(votes, votes + 3) - votes;
  int ties = std::count(votes, votes + 3, votes[best]);
  if (votes[best] > 0 && ties == 1) clue.table = best;
  return clue;
}

// Tables found by content: the table (0..2) each line of one part belongs
// to, or -1 for narrative. `own` is the part's table (-1 for a narrative
// part). Runs of table-like lines are cut where the words they name change
// table; a run naming another table at least twice is that table's,
// wherever it stands and whatever heading it has (a report's own 三、统计表
// holding all three, a caption 表二：…, a table under the wrong heading).
// Lines without a clue go with the table named last before them (values
// follow their labels), or else the one named next (header rows).
std::vector<int> TablesByContent(const std::vector<const Line*>& part, int own) {
  std::vector<int> table(part.size(), own);
  std::vector<LineClue> clues;
  clues.reserve(part.size());
  for (const Line* l : part) clues.push_back(ClueOf(*l));
  for (size_t i = 0; i < part.size();) {
    if (!clues[i].tabular) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < part.size() && clues[end].tabular) ++end;
    // A run ends at its last row with a clue: short narrative lines after
    // a table (a sub-heading) stay narrative.
    size_t last = end;
    while (last > i && clues[last - 1].table < 0 && !clues[last - 1].value && !part[last - 1]->pipe) --last;
    std::vector<int> named(last - i, -1);
    int current = -1;
    for (size_t k = i; k < last; ++k) {
      if (clues[k].table >= 0) current = clues[k].table;
      named[k - i] = current;
    }
    for (size_t k = last; k-- > i;) {
      if (named[k - i] >= 0) current = named[k - i];
      else named[k - i] = current;
    }
    for (size_t a = i; a < last;) {
      size_t b = a;
      int votes = 0;
      while (b < last && named[b - i] == named[a - i]) votes += clues[b++].table == named[a - i];
      if (named[a - i] >= 0 && votes >= 2) {
        for (size_t k = a; k < b; ++k) table[k] = named[a - i];
      }
      a = b;
    }
    i = end;
  }
  return table;
}

// The column sums of table 三 that cell (row, col) stands in: each is a
// list of (row, sign) whose signed cells add up to 0 in every column —
// (七)总计 = the outcome items; 一 + 二 = (七)总计 + 四、结转下年度.
std::vector<std::vector<std::pair<int, int>>> ColumnSumsOf(int row) {
  std::vector<std::pair<int, int>> outcomes = {{kOutcomesTotal, -1}};
  for (int r = kDisclosed; r < kOutcomesTotal; ++r) {
    if (!kRequestRows[r].is_group) outcomes.push_back({r, 1});
  }
  const std::vector<std::pair<int, int>> balance = {
      {kReceived, 1}, {kCarriedOver, 1}, {kOutcomesTotal, -1}, {kCarriedToNextYear, -1}};
  std::vector<std::vector<std::pair<int, int>>> sums;
  auto in = [&](const std::vector<std::pair<int, int>>& sum) {
    return std::any_of(sum.begin(), sum.end(), [&](auto& t) { return t.first == row; });
  };
  if (in(outcomes)) sums.push_back(outcomes);
  if (in(balance)) sums.push_back(balance);
  return sums;
}

// OCR can misread a digit and still see a digit: a row read by OCR whose
// total is not the sum of its cells is not trusted. One cell of it is
// inferred only when exactly one change of one cell makes the row add up
// and also every column sum of table 三 that cell stands in (all of whose
// other rows add up): that reading satisfies all the table's sums, and it
// is reported as inferred. Otherwise its cells are left unread (UNPLACED),
// never kept as a confident wrong number. Table 四 has no column sums: its
// blocks that do not add up are always left unread. One NOTE says every
// cell was read by OCR.
void DistrustOcrSums(v1::Report* report, Diagnostics* diags) {
  auto distrust = [&](const char* section, const char* label, const std::string& path,
                      const std::function<void()>& clear) {
    clear();
    v1::ImportDiagnostic& d = diags->Add(
        Level::UNPLACED, nullptr, section, label, "总计 = 各列之和",
        absl::StrCat("“", label, "”的识别结果与其总计不符：该行单元格不可信，未读取"));
    d.add_field_paths(path);
  };
  // True for a row with no cell, or with every cell and a total that is
  // their sum; `get(parts)` is the total.
  auto adds_up = [](int parts, const std::function<std::optional<int64_t>(int)>& get) {
    int64_t sum = 0;
    bool any = false, complete = true;
    for (int col = 0; col <= parts; ++col) {
      std::optional<int64_t> v = get(col);
      any |= v.has_value();
      complete &= v.has_value();
      if (v && col < parts) sum += *v;
    }
    return !any || (complete && *get(parts) == sum);
  };
  auto cell = [&](int row, int col) { return GetApplicantCell(*MutableRequestRow(report, row), col); };
  std::vector<bool> trusted(kRequestRowCount, true);
  for (int row = 0; row < kRequestRowCount; ++row) {
    if (kRequestRows[row].is_group) continue;
    trusted[row] = adds_up(kApplicantTotalColumn, [&](int col) { return cell(row, col); });
  }
  // The value of (row, col) that makes the row add up, given its other cells.
  auto row_fix = [&](int row, int col) -> std::optional<int64_t> {
    int64_t others = 0;
    for (int c = 0; c < kApplicantTotalColumn; ++c) {
      if (c == col) continue;
      std::optional<int64_t> v = cell(row, c);
      if (!v) return std::nullopt;
      others += *v;
    }
    if (col == kApplicantTotalColumn) return others;
    std::optional<int64_t> total = cell(row, kApplicantTotalColumn);
    if (!total || *total - others < 0) return std::nullopt;
    return *total - others;
  };
  // Whether every column sum of (row, col) holds with `value` there; false
  // when a sum cannot be checked (a cell missing, another row untrusted).
  auto columns_hold = [&](int row, int col, int64_t value) {
    std::vector<std::vector<std::pair<int, int>>> sums = ColumnSumsOf(row);
    if (sums.empty()) return false;
    for (const auto& sum : sums) {
      int64_t total = 0;
      for (const auto& [r, sign] : sum) {
        std::optional<int64_t> v = r == row ? std::optional<int64_t>(value) : cell(r, col);
        if (!v || (r != row && !trusted[r])) return false;
        total += sign * *v;
      }
      if (total != 0) return false;
    }
    return true;
  };
  for (int row = 0; row < kRequestRowCount; ++row) {
    if (kRequestRows[row].is_group || trusted[row]) continue;
    v1::ApplicantCounts* c = MutableRequestRow(report, row);
    int fixes = 0, fixed_col = -1;
    int64_t fixed_value = 0;
    for (int col = 0; col < kApplicantColumnCount; ++col) {
      std::optional<int64_t> v = row_fix(row, col);
      if (v && v != cell(row, col) && columns_hold(row, col, *v)) {
        ++fixes;
        fixed_col = col;
        fixed_value = *v;
      }
    }
    if (fixes == 1) {
      std::optional<int64_t> read = cell(row, fixed_col);
      SetApplicantCell(c, fixed_col, fixed_value);
      trusted[row] = true;
      std::string path = absl::StrCat(kRequestRows[row].field, ".", kApplicantColumns[fixed_col].field);
      v1::ImportDiagnostic& d = diags->Add(
          Level::NOTE, nullptr, "三", kRequestRows[row].label, "总计 = 各列之和",
          absl::StrCat("“", kRequestRows[row].label, "”行“", kApplicantColumns[fixed_col].label,
                       "”列：识别结果为", read ? std::to_string(*read) : "空", "；", fixed_value,
                       " 是使该行与该列都符合合计的唯一数值（推断所得，请对照原件核对）"));
      d.set_inferred(true);
      d.add_field_paths(path);
      continue;
    }
    distrust("三", kRequestRows[row].label, kRequestRows[row].field, [&] {
      for (int col = 0; col < kApplicantColumnCount; ++col) SetApplicantCell(c, col, std::nullopt);
    });
  }
  for (int block = 0; block < kAppealBlockCount; ++block) {
    v1::AppealOutcomes* b = MutableAppealBlock(report, block);
    if (adds_up(kAppealTotalColumn, [&](int col) { return GetAppealCell(*b, col); })) continue;
    distrust("四", kAppealBlocks[block].label, kAppealBlocks[block].field, [&] {
      for (int col = 0; col < kAppealColumnCount; ++col) SetAppealCell(b, col, std::nullopt);
    });
  }
  diags->Add(Level::NOTE, nullptr, "", "", "",
             "本文件的全部单元格均由扫描件文字识别（OCR）读取：请对照原件核对数字");
}

Source SourceOf(const v1::ImportDiagnostic& d) {
  Source s;
  s.line = d.line();
  s.page = d.page();
  s.x = d.x();
  s.y = d.y();
  return s;
}

}  // namespace

bool LooksLikeTitle(absl::string_view text) {
  if (text.size() > 200 || text.find("。") != absl::string_view::npos ||
      text.find("，") != absl::string_view::npos) {
    return false;
  }
  return text.find("年度报告") != absl::string_view::npos ||
         (text.find("政府信息公开") != absl::string_view::npos &&
          text.find("报告") != absl::string_view::npos);
}

namespace {
// The payload that marks a strict import's refusal (IsStrictRefusal).
constexpr char kStrictRefusalPayload[] = "type.disclosure/import.strict_refusal";

absl::Status StrictRefusal(std::string message) {
  absl::Status s = absl::InvalidArgumentError(std::move(message));
  s.SetPayload(kStrictRefusalPayload, absl::Cord("1"));
  return s;
}
}  // namespace

bool IsStrictRefusal(const absl::Status& status) {
  return absl::IsInvalidArgument(status) && status.GetPayload(kStrictRefusalPayload).has_value();
}

bool ImportResult::HasUnplaced() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const auto& d) {
    return d.level() == v1::ImportDiagnostic::UNPLACED;
  });
}

absl::StatusOr<ImportResult> MapTemplate(const Document& doc, const ImportOptions& options) {
  ImportResult result;
  Diagnostics diags{&result.diagnostics};
  v1::Report& report = result.report;
  Lines split;
  LinesOf(doc, &split);
  const std::vector<Line>& lines = split.lines;

  for (const Line& line : lines) {
    // Only table-like lines: the narrative may mention these words.
    if (!line.pipe && line.text.size() > 90) continue;
    if (const char* word = Template2019Word(line)) {
      return absl::FailedPreconditionError(absl::StrCat(
          DescribeSource(line.source), ": 此报告为 2019 年试行格式（国办公开办函〔2019〕60号，含“", word,
          "”）。2021 年及以后的报告须使用国办公开办函〔2021〕30号格式"));
    }
  }

  // Title: the first line before the first heading that names the report.
  std::string title_key;
  std::vector<std::vector<const Line*>> parts(kPartCount);
  std::vector<const Line*> preamble;
  int part = -1;
  for (const Line& line : lines) {
    bool exact = false;
    int heading = HeadingOf(line, part, &exact);
    if (heading >= 0) {
      for (int skipped = part + 1; skipped < heading; ++skipped) {
        diags.Add(Level::NOTE, &line, kParts[skipped].numeral, line.text, kParts[skipped].heading,
                  absl::StrCat("此行之前没有模板部分“", kParts[skipped].heading, "”的标题"),
                  RuleOf(RuleId::kSSect).id);
      }
      if (!exact) {
        diags.Add(Level::NOTE, &line, kParts[heading].numeral, line.text, kParts[heading].heading,
                  absl::StrCat("标题“", Shorten(line.text, 60), "”按模板标题“",
                               kParts[heading].heading, "”读取"),
                  RuleOf(RuleId::kSLabel).id);
      }
      part = heading;
      continue;
    }
    if (part < 0 && report.title().empty() && !line.pipe && LooksLikeTitle(line.text)) {
      std::string title(line.text);
      // "郑州市公安局" on the line above "2021 年政府信息公开工作年度报告".
      int year = 0;
      if (ParseYear(title, &year) && absl::StartsWith(title, std::to_string(year)) &&
          !preamble.empty() && preamble.back()->text.size() <= 90 &&
          !preamble.back()->pipe && preamble.back()->text.find("。") == absl::string_view::npos) {
        title = absl::StrCat(preamble.back()->text, title);
        preamble.pop_back();
      }
      report.set_title(title);
      title_key = LabelKey(line.text);
      // What stands above the title is the page's, not the report's: a
      // site's menu or breadcrumb, an index number.
      if (!preamble.empty()) {
        diags.Add(Level::NOTE, preamble.front(), "", preamble.front()->text, "",
                  "标题之前的文字不属于报告，已舍去");
        preamble.clear();
      }
      continue;
    }
    if (!title_key.empty() && line.text.size() <= report.title().size() + 8 &&
        line.text.size() + 8 >= report.title().size() && LabelKey(line.text) == title_key) {
      continue;  // running header
    }
    if (!line.pipe && IsSiteFurniture(line.text)) {
      diags.Add(Level::NOTE, &line, part >= 0 ? kParts[part].numeral : "", line.text, "",
                "网站页脚已舍去");
      continue;
    }
    if (IsPageNumber(line.text)) {
      diags.Add(Level::NOTE, &line, part >= 0 ? kParts[part].numeral : "", line.text, "",
                "页码已舍去");
      continue;
    }
    (part < 0 ? preamble : parts[part]).push_back(&line);
  }
  if (part < 0) {
    return absl::InvalidArgumentError(
        "no part of the 2021 template found (expected headings 一、总体情况 … 六、其他需要报告的事项)");
  }
  for (int missing = part + 1; missing < kPartCount; ++missing) {
    diags.Add(Level::NOTE, nullptr, kParts[missing].numeral, "", kParts[missing].heading,
              absl::StrCat("缺少模板部分“", kParts[missing].heading, "”"),
              RuleOf(RuleId::kSSect).id);
  }

  report.set_template_version(v1::TEMPLATE_VERSION_2021);
  MaterializeTables(&report);
  if (!report.title().empty()) {
    int year = 0;
    if (ParseYear(report.title(), &year)) {
      report.set_year(year);
      size_t at = report.title().find(std::to_string(year));
      report.mutable_agency()->set_name(
          std::string(absl::StripAsciiWhitespace(report.title().substr(0, at))));
    }
  } else {
    diags.Add(Level::NOTE, nullptr, "", "", "XX 20XX 年政府信息公开工作年度报告",
              "未找到标题行");
  }

  // Each line goes to the table its content names, or stays in its part.
  std::vector<std::vector<const Line*>> tables(3), prose(kPartCount);
  for (int p = 0; p < kPartCount; ++p) {
    int own = p >= 1 && p <= 3 ? p - 1 : -1;
    std::vector<int> found = TablesByContent(parts[p], own);
    for (size_t i = 0; i < parts[p].size(); ++i) {
      int t = found[i];
      if (t >= 0 && t != own && (i == 0 || found[i - 1] != t)) {
        diags.Add(Level::NOTE, parts[p][i], kParts[t + 1].numeral, parts[p][i]->text,
                  kParts[t + 1].heading,
                  absl::StrCat("模板部分“", kParts[t + 1].heading, "”的表格出现在部分“",
                               kParts[p].heading, "”中"),
                  RuleOf(RuleId::kSSect).id);
      }
      (t >= 0 ? tables[t] : prose[p]).push_back(parts[p][i]);
    }
  }
  // In document order: a table may be gathered from several parts.
  for (auto& t : tables) std::sort(t.begin(), t.end());
  auto narrative = [&](int p, const std::vector<const Line*>& extra_first) {
    std::vector<absl::string_view> paragraphs;
    for (const Line* l : extra_first) paragraphs.push_back(l->raw);
    for (const Line* l : prose[p]) paragraphs.push_back(l->raw);
    return absl::StrJoin(paragraphs, "\n");
  };
  if (!preamble.empty()) {
    diags.Add(Level::NOTE, preamble.front(), "一", preamble.front()->text, "一、总体情况",
              "第一部分之前的文字并入“一、总体情况”开头");
  }
  report.set_overview(narrative(0, preamble));
  report.set_problems_and_improvements(narrative(4, {}));
  report.set_other_matters(narrative(5, {}));

  ReadProactive(tables[0], &report, &diags);
  if (absl::Status s = ReadRequests(tables[1], &report, &diags); !s.ok()) return s;
  ReadAppeals(tables[2], &report, &diags);
  if (std::any_of(doc.blocks.begin(), doc.blocks.end(), [](const DocBlock& b) { return b.ocr; })) {
    DistrustOcrSums(&report, &diags);
  }

  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const auto& a, const auto& b) {
                     return std::make_tuple(a.page(), a.line(), a.y(), a.x()) <
                            std::make_tuple(b.page(), b.line(), b.y(), b.x());
                   });
  // The unread cells go with the report, so that every audit of it sees them.
  v1::ImportRecord& record = *report.mutable_import_record();
  record.set_format(doc.format);
  for (const auto& d : result.diagnostics) {
    if (d.level() != v1::ImportDiagnostic::UNPLACED) continue;
    for (const std::string& path : d.field_paths()) {
      if (record.unread_size() == kMaxUnreadEntries) break;
      v1::UnreadCells& u = *record.add_unread();
      u.set_field_path(path);
      u.set_source(DescribeSourceZh(SourceOf(d)));
    }
  }
  // The cells of an UNPLACED diagnostic stay empty, as it says, even where a
  // later line read the same row again (a row that could not be read, then
  // its label once more with values: which of the two is the row's is not
  // known). The rules then report them as IMPORT-UNREAD, not as values.
  if (record.unread_size() > 0) {
    for (const CountCell& c : AllCountCells()) {
      if (UnreadEntryOf(report, c.field_path) != nullptr) SetCount(&report, c, std::nullopt);
    }
    if (UnreadEntryOf(report, kFeeFieldPath) != nullptr) {
      report.mutable_proactive_disclosure()->mutable_administrative_fees()->clear_amount_10k_yuan();
    }
  }
  if (options.strict && result.HasUnplaced()) {
    for (const auto& d : result.diagnostics) {
      if (d.level() == v1::ImportDiagnostic::UNPLACED) {
        return StrictRefusal(
            absl::StrCat(DescribeSource(SourceOf(d)), ": ", d.message(), " (strict import)"));
      }
    }
  }
  return result;
}

std::vector<v1::Finding> StructureFindings(const ImportResult& result) {
  std::vector<v1::Finding> findings;
  for (const auto& d : result.diagnostics) {
    if (d.rule_id().empty()) continue;
    // Only the structure rules (S-SECT, S-LABEL) are diagnostics, with
    // messages in Chinese like every finding's.
    auto rule = std::find_if(AllRules().begin(), AllRules().end(),
                             [&](const RuleInfo& r) { return d.rule_id() == r.id; });
    if (rule == AllRules().end()) continue;
    v1::Finding f;
    f.set_rule_id(rule->id);
    f.set_severity(rule->severity);
    f.set_rule_set_version(kRuleSetVersion);
    f.mutable_location()->set_section(d.section());
    f.mutable_location()->set_row_label(d.expected());
    f.set_expected(d.expected());
    f.set_actual(d.text());
    f.set_message(d.line() > 0 || d.page() > 0
                      ? absl::StrCat(DescribeSourceZh(SourceOf(d)), "：", d.message())
                      : d.message());
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace disclosure
