#include "core/import/docx_reader.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/import/import.h"

namespace disclosure {
namespace {

// The zip archive of the document; entries are read whole, each up to
// kMaxDocumentBytes unpacked.
class Package {
 public:
  static absl::StatusOr<Package> Open(absl::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (src == nullptr) return absl::InvalidArgumentError("DOCX: cannot read the file");
    zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &error);
    if (za == nullptr) {
      zip_source_free(src);
      zip_error_fini(&error);
      return absl::InvalidArgumentError("DOCX: damaged (not a readable zip archive)");
    }
    return Package(za);
  }

  bool Has(const char* name) const {
    zip_stat_t st;
    zip_stat_init(&st);
    return zip_stat(archive_.get(), name, 0, &st) == 0;
  }

  // The entry `name` unpacked; the caller checks Has() for optional ones.
  absl::StatusOr<std::string> Read(const char* name) const {
    zip_t* za = archive_.get();
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(za, name, 0, &st) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("DOCX: no ", name, " in the archive: not a Word document"));
    }
    if ((st.valid & ZIP_STAT_SIZE) == 0 || st.size > kMaxDocumentBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("DOCX: ", name, " unpacks to more than ", kMaxDocumentBytes, " bytes"));
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
      return absl::InvalidArgumentError("DOCX: encrypted; save it again without a password");
    }
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(zip_fopen(za, name, 0), zip_fclose);
    if (file == nullptr) return absl::InvalidArgumentError(absl::StrCat("DOCX: ", name, " is damaged"));
    std::string xml(st.size, '\0');
    zip_int64_t got = 0;
    while (got < static_cast<zip_int64_t>(xml.size())) {
      zip_int64_t n = zip_fread(file.get(), xml.data() + got, xml.size() - got);
      if (n <= 0) break;
      got += n;
    }
    if (got != static_cast<zip_int64_t>(xml.size())) {
      return absl::InvalidArgumentError(absl::StrCat("DOCX: ", name, " is damaged (short read)"));
    }
    return xml;
  }

 private:
  explicit Package(zip_t* za) : archive_(za, zip_close) {}
  std::unique_ptr<zip_t, int (*)(zip_t*)> archive_;
};

bool Is(const pugi::xml_node& n, const char* name) { return strcmp(n.name(), name) == 0; }

int IntAttr(const pugi::xml_node& n, const char* attr, int fallback) {
  int v = 0;
  if (n && absl::SimpleAtoi(n.attribute(attr).value(), &v)) return v;
  return fallback;
}

// Chinese numerals up to 99 as Word counts (chineseCounting,
// japaneseCounting, taiwaneseCounting): 一 … 十, 十一, 二十, 二十一.
std::string ChineseCounting(int n) {
  static const char* const kDigits[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  if (n <= 0 || n >= 100) return absl::StrCat(n);
  std::string s;
  if (n >= 20) s += kDigits[n / 10];
  if (n >= 10) s += "十";
  if (n % 10 != 0) s += kDigits[n % 10];
  return s;
}

std::string Roman(int n) {
  static const std::pair<int, const char*> kParts[] = {
      {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
      {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}};
  if (n <= 0 || n >= 4000) return absl::StrCat(n);
  std::string s;
  for (const auto& [value, text] : kParts) {
    for (; n >= value; n -= value) s += text;
  }
  return s;
}

// The number `n` as w:numFmt `fmt` writes it; "" for bullets and none.
std::string FormatNumber(int n, absl::string_view fmt) {
  if (fmt == "chineseCounting" || fmt == "chineseCountingThousand" || fmt == "japaneseCounting" ||
      fmt == "taiwaneseCounting" || fmt == "taiwaneseCountingThousand" ||
      fmt == "japaneseLegal" || fmt == "chineseLegalSimplified") {
    return ChineseCounting(n);
  }
  if (fmt == "ideographTraditional" && n >= 1 && n <= 10) {
    static const char* const kStems[] = {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"};
    return kStems[n - 1];
  }
  if (fmt == "ideographZodiac" && n >= 1 && n <= 12) {
    static const char* const kBranches[] = {"子", "丑", "寅", "卯", "辰", "巳",
                                            "午", "未", "申", "酉", "戌", "亥"};
    return kBranches[n - 1];
  }
  if (fmt == "ideographDigital" || fmt == "japaneseDigitalTenThousand" || fmt == "taiwaneseDigital") {
    static const char* const kDigits[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    std::string s;
    for (char c : absl::StrCat(n)) s += absl::ascii_isdigit(c) ? kDigits[c - '0'] : std::string(1, c);
    return s;
  }
  if (fmt == "decimalFullWidth" || fmt == "decimalFullWidth2") {
    std::string s;
    for (char c : absl::StrCat(n)) {
      if (!absl::ascii_isdigit(c)) {
        s += c;
        continue;
      }
      s += "\xEF\xBC";  // U+FF10 ０ + digit
      s += static_cast<char>(0x90 + (c - '0'));
    }
    return s;
  }
  if (fmt == "decimalEnclosedCircle" || fmt == "decimalEnclosedCircleChinese") {
    if (n >= 1 && n <= 20) {
      // U+2460 ① …
      char32_t c = 0x2460 + (n - 1);
      return {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
              static_cast<char>(0x80 | (c & 0x3F))};
    }
    return absl::StrCat(n);
  }
  if (fmt == "decimalZero") return n < 10 && n >= 0 ? absl::StrCat("0", n) : absl::StrCat(n);
  if (fmt == "lowerLetter" || fmt == "upperLetter") {
    if (n <= 0 || n > 26 * 30) return absl::StrCat(n);  // a, …, z, aa, …
    char c = static_cast<char>((fmt == "lowerLetter" ? 'a' : 'A') + (n - 1) % 26);
    return std::string((n - 1) / 26 + 1, c);
  }
  if (fmt == "lowerRoman") return Roman(n);
  if (fmt == "upperRoman") return absl::AsciiStrToUpper(Roman(n));
  if (fmt == "bullet" || fmt == "none") return "";
  return absl::StrCat(n);  // decimal, and formats not modelled
}

// Word's list numbering (word/numbering.xml): the text a numbered
// paragraph displays before its own ("一、", "（二）", "3."), counted per
// list (w:numId) and level in document order. A level starts at its
// w:start (or the list's w:startOverride) and restarts after a paragraph
// of a higher level (unless w:lvlRestart says otherwise). Numbering comes
// from the paragraph's w:numPr or its style's (word/styles.xml, through
// w:basedOn). Bullets and numFmt none print nothing.
class Numbering {
 public:
  void Load(const pugi::xml_document& numbering, const pugi::xml_document* styles) {
    pugi::xml_node root = numbering.child("w:numbering");
    std::map<int, pugi::xml_node> abstracts;
    for (pugi::xml_node a : root.children("w:abstractNum")) {
      abstracts[IntAttr(a, "w:abstractNumId", -1)] = a;
    }
    for (pugi::xml_node num : root.children("w:num")) {
      int id = IntAttr(num, "w:numId", -1);
      auto a = abstracts.find(IntAttr(num.child("w:abstractNumId"), "w:val", -1));
      if (id < 0 || a == abstracts.end()) continue;
      List& list = lists_[id];
      for (pugi::xml_node lvl : a->second.children("w:lvl")) SetLevel(lvl, &list);
      for (pugi::xml_node o : num.children("w:lvlOverride")) {
        int ilvl = IntAttr(o, "w:ilvl", -1);
        if (ilvl < 0 || ilvl >= kLevels) continue;
        if (pugi::xml_node lvl = o.child("w:lvl")) SetLevel(lvl, &list);
        if (pugi::xml_node so = o.child("w:startOverride")) {
          list.levels[ilvl].start = std::max(0, IntAttr(so, "w:val", 1));
        }
      }
    }
    if (styles == nullptr) return;
    for (pugi::xml_node st : styles->child("w:styles").children("w:style")) {
      if (strcmp(st.attribute("w:type").value(), "paragraph") != 0) continue;
      Style& s = styles_[st.attribute("w:styleId").value()];
      s.based_on = st.child("w:basedOn").attribute("w:val").value();
      if (pugi::xml_node np = st.child("w:pPr").child("w:numPr")) {
        s.num_id = IntAttr(np.child("w:numId"), "w:val", -1);
        s.ilvl = IntAttr(np.child("w:ilvl"), "w:val", -1);
      }
      if (st.attribute("w:default").as_bool()) default_style_ = st.attribute("w:styleId").value();
    }
  }

  // The number text paragraph `p` displays before its text, counting it.
  std::string Next(const pugi::xml_node& p) {
    pugi::xml_node ppr = p.child("w:pPr");
    pugi::xml_node np = ppr.child("w:numPr");
    int num_id = IntAttr(np.child("w:numId"), "w:val", -1);
    int ilvl = IntAttr(np.child("w:ilvl"), "w:val", -1);
    std::string style_id = ppr.child("w:pStyle").attribute("w:val").value();
    if (style_id.empty()) style_id = default_style_;
    if (num_id < 0 || ilvl < 0) {
      // The style's numbering, through its w:basedOn chain.
      std::string id = style_id;
      for (int depth = 0; depth < 16 && !id.empty(); ++depth) {
        auto s = styles_.find(id);
        if (s == styles_.end()) break;
        if (num_id < 0 && s->second.num_id >= 0) num_id = s->second.num_id;
        if (ilvl < 0 && s->second.ilvl >= 0) ilvl = s->second.ilvl;
        if (num_id >= 0 && ilvl >= 0) break;
        id = s->second.based_on;
      }
    }
    auto l = lists_.find(num_id);
    if (num_id <= 0 || l == lists_.end()) return "";  // numId 0: numbering removed
    List& list = l->second;
    if (ilvl < 0) {
      // A level bound to the paragraph's style (w:lvl/w:pStyle), else 0.
      ilvl = 0;
      for (int i = 0; i < kLevels; ++i) {
        if (!style_id.empty() && list.levels[i].style == style_id) ilvl = i;
      }
    }
    ilvl = std::clamp(ilvl, 0, kLevels - 1);
    Level& level = list.levels[ilvl];
    level.count = level.count == 0                                ? level.start
                  : level.count == std::numeric_limits<int>::max() ? level.count
                                                                   : level.count + 1;
    for (int i = ilvl + 1; i < kLevels; ++i) {
      // w:lvlRestart N: restarts after level N-1 or higher only; 0: never.
      int restart = list.levels[i].restart;
      if (restart < 0 || (restart > 0 && ilvl <= restart - 1)) list.levels[i].count = 0;
    }
    if (level.format == "bullet") return "";
    std::string text;
    for (size_t i = 0; i < level.text.size(); ++i) {
      char c = level.text[i];
      if (c == '%' && i + 1 < level.text.size() && level.text[i + 1] >= '1' &&
          level.text[i + 1] <= '9') {
        int k = level.text[i + 1] - '1';
        ++i;
        if (k >= kLevels) continue;
        const Level& shown = list.levels[k];
        int n = shown.count == 0 ? shown.start : shown.count;
        text += FormatNumber(n, level.legal && k < ilvl ? "decimal" : shown.format);
      } else {
        text += c;
      }
    }
    if (text.empty()) return "";
    // w:suff: a tab (the default) or a space after the number, or nothing.
    if (level.suffix != "nothing") text += ' ';
    return text;
  }

 private:
  static constexpr int kLevels = 9;
  // Word allows 255 characters; the text is prefixed to every paragraph.
  static constexpr size_t kMaxLevelText = 255 * 4;
  struct Level {
    int start = 1;
    int count = 0;  // 0: not counted yet (or restarted)
    int restart = -1;  // w:lvlRestart; -1: after any higher level
    bool legal = false;
    std::string format = "decimal", text, suffix = "tab", style;
  };
  struct List {
    Level levels[kLevels];
  };
  struct Style {
    std::string based_on;
    int num_id = -1, ilvl = -1;
  };

  static void SetLevel(const pugi::xml_node& lvl, List* list) {
    int ilvl = IntAttr(lvl, "w:ilvl", -1);
    if (ilvl < 0 || ilvl >= kLevels) return;
    Level& l = list->levels[ilvl];
    l.start = std::max(0, IntAttr(lvl.child("w:start"), "w:val", 1));
    if (pugi::xml_node f = lvl.child("w:numFmt")) l.format = f.attribute("w:val").value();
    l.text = lvl.child("w:lvlText").attribute("w:val").value();
    if (l.text.size() > kMaxLevelText) l.text.clear();  // not a number's text
    if (pugi::xml_node r = lvl.child("w:lvlRestart")) l.restart = IntAttr(r, "w:val", -1);
    if (pugi::xml_node s = lvl.child("w:suff")) l.suffix = s.attribute("w:val").value();
    if (pugi::xml_node lg = lvl.child("w:isLgl")) {
      l.legal = !lg.attribute("w:val") || lg.attribute("w:val").as_bool();
    }
    l.style = lvl.child("w:pStyle").attribute("w:val").value();
  }

  std::map<int, List> lists_;
  std::map<std::string, Style> styles_;
  std::string default_style_;
};

// The text of paragraphs and of everything below them, list numbers
// prefixed.
class TextReader {
 public:
  explicit TextReader(Numbering* numbering) : numbering_(numbering) {}

  // One paragraph: its number (if it is in a list) and its text.
  void Paragraph(const pugi::xml_node& p, std::string* out) {
    if (numbering_ != nullptr) *out += numbering_->Next(p);
    TextOf(p, out);
  }

  // The text of everything below `n`.
  void TextOf(const pugi::xml_node& n, std::string* out) {
    for (pugi::xml_node c : n.children()) {
      if (Is(c, "w:t")) {
        *out += c.text().get();
      } else if (Is(c, "w:tab")) {
        *out += ' ';
      } else if (Is(c, "w:br") || Is(c, "w:cr")) {
        *out += '\n';
      } else if (Is(c, "w:p")) {
        if (!out->empty() && out->back() != '\n') *out += '\n';
        Paragraph(c, out);
      } else if (Is(c, "mc:AlternateContent")) {
        // The same content twice (a text box as a DrawingML shape and as
        // VML for older readers): the first choice, else the fallback.
        pugi::xml_node one = c.child("mc:Choice");
        if (!one) one = c.child("mc:Fallback");
        TextOf(one, out);
      } else if (!Is(c, "w:pPr") && !Is(c, "w:rPr") && !Is(c, "w:instrText") &&
                 !Is(c, "w:delText") && !Is(c, "w:tcPr")) {
        TextOf(c, out);
      }
    }
  }

 private:
  Numbering* numbering_;
};

class BodyReader {
 public:
  BodyReader(Document* doc, Numbering* numbering) : doc_(doc), text_(numbering) {}

  void Read(const pugi::xml_node& parent) {
    for (pugi::xml_node c : parent.children()) {
      if (Is(c, "w:p")) {
        std::string text;
        text_.Paragraph(c, &text);
        ++number_;
        DocBlock& b = doc_->blocks.emplace_back();
        b.text = std::move(text);
        b.source.line = number_;
      } else if (Is(c, "w:tbl")) {
        ReadTable(c);
      } else if (Is(c, "w:sdt") || Is(c, "w:sdtContent") || Is(c, "w:customXml")) {
        Read(c);
      }
    }
  }

 private:
  void ReadTable(const pugi::xml_node& tbl) {
    constexpr int kMaxRows = 400, kMaxColumns = 64;
    DocBlock& b = doc_->blocks.emplace_back();
    b.kind = DocBlock::kTable;
    b.source.line = number_ + 1;
    std::vector<std::vector<DocCell>>& grid = b.rows;
    std::vector<int> origin_row;  // per grid column: the row a vMerge continues
    for (pugi::xml_node tr : tbl.children("w:tr")) {
      if (static_cast<int>(grid.size()) >= kMaxRows) break;
      ++number_;
      std::vector<DocCell>& row = grid.emplace_back();
      int col = 0;
      if (pugi::xml_node before = tr.child("w:trPr").child("w:gridBefore")) {
        int v = 0;
        if (absl::SimpleAtoi(before.attribute("w:val").value(), &v)) col = std::clamp(v, 0, kMaxColumns);
        row.resize(col);
      }
      for (pugi::xml_node tc : tr.children("w:tc")) {
        if (col >= kMaxColumns) break;
        pugi::xml_node pr = tc.child("w:tcPr");
        int span = 1;
        if (pugi::xml_node gs = pr.child("w:gridSpan")) {
          if (!absl::SimpleAtoi(gs.attribute("w:val").value(), &span)) span = 1;
          span = std::clamp(span, 1, kMaxColumns - col);
        }
        pugi::xml_node vm = pr.child("w:vMerge");
        bool continues = vm && strcmp(vm.attribute("w:val").value(), "restart") != 0;
        std::string text;
        if (!continues) text_.TextOf(tc, &text);
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        for (int d = 0; d < span; ++d) {
          DocCell& cell = row.emplace_back();
          cell.source.line = number_;
          cell.covered = continues || d > 0;
          if (d == 0 && !continues) cell.text = text;
        }
        col += span;
      }
    }
    size_t width = 0;
    for (const auto& row : grid) width = std::max(width, row.size());
    for (auto& row : grid) row.resize(width);
  }

  Document* doc_;
  TextReader text_;
  int number_ = 0;
};

}  // namespace

absl::StatusOr<Document> ReadDocx(absl::string_view bytes) {
  if (bytes.size() > kMaxDocumentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("DOCX is ", bytes.size(), " bytes; the limit is ", kMaxDocumentBytes));
  }
  absl::StatusOr<Package> package = Package::Open(bytes);
  if (!package.ok()) return package.status();
  absl::StatusOr<std::string> xml = package->Read("word/document.xml");
  if (!xml.ok()) return xml.status();
  pugi::xml_document dom;
  pugi::xml_parse_result parsed = dom.load_buffer(xml->data(), xml->size());
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat("DOCX: word/document.xml is not XML (offset ",
                                                   parsed.offset, ": ", parsed.description(), ")"));
  }
  pugi::xml_node body = dom.child("w:document").child("w:body");
  if (!body) return absl::InvalidArgumentError("DOCX: word/document.xml has no w:body");
  // List numbering, when the document has any: a damaged or missing
  // numbering.xml or styles.xml only loses the numbers.
  Numbering numbering;
  pugi::xml_document numbering_dom, styles_dom;
  bool have_styles = false;
  if (package->Has("word/styles.xml")) {
    absl::StatusOr<std::string> styles = package->Read("word/styles.xml");
    have_styles = styles.ok() && styles_dom.load_buffer(styles->data(), styles->size());
  }
  if (package->Has("word/numbering.xml")) {
    absl::StatusOr<std::string> n = package->Read("word/numbering.xml");
    if (n.ok() && numbering_dom.load_buffer(n->data(), n->size())) {
      numbering.Load(numbering_dom, have_styles ? &styles_dom : nullptr);
    }
  }
  Document doc;
  doc.format = "docx";
  BodyReader(&doc, &numbering).Read(body);
  return doc;
}

}  // namespace disclosure
