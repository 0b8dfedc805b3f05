#include "core/import/html_reader.h"

#include <gumbo.h>
#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/import/import.h"
#include "core/import/template_mapper.h"
#include "core/base/text_util.h"

namespace disclosure {

absl::StatusOr<std::string> ToUtf8(absl::string_view bytes, const char* charset) {
  iconv_t cd = iconv_open("UTF-8", charset);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown charset '", charset, "'"));
  }
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* op = out.data();
  size_t out_left = out.size();
  while (in_left > 0) {
    size_t r = iconv(cd, &in, &in_left, &op, &out_left);
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      size_t used = op - out.data();
      out.resize(out.size() * 2);
      op = out.data() + used;
      out_left = out.size() - used;
    } else {
      // An invalid or truncated sequence: one byte replaced, reading goes on.
      ++in;
      --in_left;
      if (out_left < 3) {
        size_t used = op - out.data();
        out.resize(out.size() * 2);
        op = out.data() + used;
        out_left = out.size() - used;
      }
      memcpy(op, "\xEF\xBF\xBD", 3);
      op += 3;
      out_left -= 3;
    }
  }
  iconv_close(cd);
  out.resize(op - out.data());
  return out;
}

namespace {

// The charset a page declares in its first bytes, lower case, or "".
std::string DeclaredCharset(absl::string_view bytes) {
  std::string head = absl::AsciiStrToLower(bytes.substr(0, 4096));
  size_t at = head.find("charset");
  while (at != std::string::npos) {
    size_t i = at + 7;
    while (i < head.size() && (head[i] == ' ' || head[i] == '=' || head[i] == '"' || head[i] == '\'')) ++i;
    size_t j = i;
    while (j < head.size() && (absl::ascii_isalnum(head[j]) || head[j] == '-' || head[j] == '_')) ++j;
    if (j > i) return head.substr(i, j - i);
    at = head.find("charset", at + 7);
  }
  return "";
}

bool Skipped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_HEAD:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_BUTTON: case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SVG: case GUMBO_TAG_NAV: case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_INPUT:
      return true;
    default:
      return false;
  }
}

bool Inline(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_A: case GUMBO_TAG_SPAN: case GUMBO_TAG_B: case GUMBO_TAG_STRONG:
    case GUMBO_TAG_I: case GUMBO_TAG_EM: case GUMBO_TAG_U: case GUMBO_TAG_FONT:
    case GUMBO_TAG_SUB: case GUMBO_TAG_SUP: case GUMBO_TAG_SMALL: case GUMBO_TAG_BIG:
    case GUMBO_TAG_LABEL: case GUMBO_TAG_ABBR: case GUMBO_TAG_S: case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_CODE: case GUMBO_TAG_IMG: case GUMBO_TAG_WBR: case GUMBO_TAG_INS:
    case GUMBO_TAG_DEL: case GUMBO_TAG_MARK: case GUMBO_TAG_Q: case GUMBO_TAG_CITE:
      return true;
    default:
      return false;
  }
}

bool IsLeafTable(const GumboNode* n);

bool ContainsTable(const GumboNode* n) {
  if (n->type != GUMBO_NODE_ELEMENT) return false;
  const GumboVector& ch = n->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    const auto* c = static_cast<const GumboNode*>(ch.data[i]);
    if (c->type != GUMBO_NODE_ELEMENT) continue;
    if (c->v.element.tag == GUMBO_TAG_TABLE || ContainsTable(c)) return true;
  }
  return false;
}

bool IsLeafTable(const GumboNode* n) {
  return n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_TABLE && !ContainsTable(n);
}

// Text outside links in `n`'s subtree, in bytes, per element (memoised).
size_t ContentLength(const GumboNode* n, bool in_link, std::map<const GumboNode*, size_t>* memo) {
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
    if (in_link) return 0;
    return absl::StripAsciiWhitespace(n->v.text.text).size();
  }
  if (n->type != GUMBO_NODE_ELEMENT || Skipped(n->v.element.tag)) return 0;
  bool link = in_link || n->v.element.tag == GUMBO_TAG_A;
  size_t total = 0;
  const GumboVector& ch = n->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    total += ContentLength(static_cast<const GumboNode*>(ch.data[i]), link, memo);
  }
  (*memo)[n] = total;
  return total;
}

const GumboNode* FindTag(const GumboNode* n, GumboTag tag) {
  if (n->type != GUMBO_NODE_ELEMENT) return nullptr;
  if (n->v.element.tag == tag) return n;
  const GumboVector& ch = n->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    if (const GumboNode* f = FindTag(static_cast<const GumboNode*>(ch.data[i]), tag)) return f;
  }
  return nullptr;
}

class Walker {
 public:
  explicit Walker(Document* doc) : doc_(doc) {}

  void Walk(const GumboNode* n) {
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
        n->type == GUMBO_NODE_WHITESPACE) {
      if (pending_.empty()) pending_line_ = static_cast<int>(n->v.text.start_pos.line);
      pending_ += n->v.text.text;
      return;
    }
    if (n->type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& el = n->v.element;
    if (Skipped(el.tag)) return;
    if (el.tag == GUMBO_TAG_BR) {
      pending_ += '\n';
      return;
    }
    if (IsLeafTable(n)) {
      Flush();
      ReadTable(n);
      return;
    }
    bool block = !Inline(el.tag);
    if (block) Flush();
    for (unsigned i = 0; i < el.children.length; ++i) {
      Walk(static_cast<const GumboNode*>(el.children.data[i]));
    }
    if (block) Flush();
  }

  void Flush() {
    // Whitespace runs inside a paragraph are one space, as a browser shows.
    std::string text;
    bool space = false;
    for (char c : pending_) {
      if (c == '\n') {
        text += '\n';
        space = false;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        space = true;
      } else {
        if (space && !text.empty() && text.back() != '\n') text += ' ';
        space = false;
        text += c;
      }
    }
    pending_.clear();
    for (absl::string_view part : absl::StrSplit(text, '\n')) {
      part = absl::StripAsciiWhitespace(part);
      if (part.empty()) continue;
      DocBlock& b = doc_->blocks.emplace_back();
      b.text = std::string(part);
      b.source.line = pending_line_;
    }
  }

 private:
  // A cell's text: its paragraphs joined by '\n'.
  static void CellText(const GumboNode* n, std::string* out) {
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
        n->type == GUMBO_NODE_WHITESPACE) {
      for (const char* p = n->v.text.text; *p; ++p) {
        char c = *p;
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        if (c == ' ' && (out->empty() || out->back() == ' ' || out->back() == '\n')) continue;
        out->push_back(c);
      }
      return;
    }
    if (n->type != GUMBO_NODE_ELEMENT || Skipped(n->v.element.tag)) return;
    bool block = !Inline(n->v.element.tag);
    if (block && !out->empty() && out->back() != '\n') out->push_back('\n');
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = 0; i < ch.length; ++i) CellText(static_cast<const GumboNode*>(ch.data[i]), out);
    if ((block || n->v.element.tag == GUMBO_TAG_BR) && !out->empty() && out->back() != '\n') {
      out->push_back('\n');
    }
  }

  static int Span(const GumboElement& el, const char* name) {
    const GumboAttribute* a = gumbo_get_attribute(&el.attributes, name);
    int v = 1;
    if (a == nullptr || !absl::SimpleAtoi(absl::StripAsciiWhitespace(a->value), &v)) return 1;
    // Spans past the template's size are damage; bounded so a hostile page
    // cannot make a huge grid.
    return std::clamp(v, 1, 64);
  }

  static void Rows(const GumboNode* n, std::vector<const GumboNode*>* rows) {
    if (n->type != GUMBO_NODE_ELEMENT) return;
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = 0; i < ch.length; ++i) {
      const auto* c = static_cast<const GumboNode*>(ch.data[i]);
      if (c->type != GUMBO_NODE_ELEMENT) continue;
      if (c->v.element.tag == GUMBO_TAG_TR) rows->push_back(c);
      else if (c->v.element.tag != GUMBO_TAG_TABLE) Rows(c, rows);
    }
  }

  void ReadTable(const GumboNode* table) {
    constexpr int kMaxRows = 400, kMaxColumns = 64;
    std::vector<const GumboNode*> trs;
    Rows(table, &trs);
    DocBlock& b = doc_->blocks.emplace_back();
    b.kind = DocBlock::kTable;
    b.source.line = static_cast<int>(table->v.element.start_pos.line);
    // Grid with spans resolved: `taken` marks positions covered from above.
    std::vector<std::vector<DocCell>>& grid = b.rows;
    std::vector<std::vector<bool>> taken;
    for (size_t r = 0; r < trs.size() && r < kMaxRows; ++r) {
      if (grid.size() <= r) grid.resize(r + 1), taken.resize(r + 1);
      int col = 0;
      const GumboVector& ch = trs[r]->v.element.children;
      for (unsigned i = 0; i < ch.length; ++i) {
        const auto* c = static_cast<const GumboNode*>(ch.data[i]);
        if (c->type != GUMBO_NODE_ELEMENT ||
            (c->v.element.tag != GUMBO_TAG_TD && c->v.element.tag != GUMBO_TAG_TH)) {
          continue;
        }
        while (col < kMaxColumns && col < static_cast<int>(taken[r].size()) && taken[r][col]) ++col;
        if (col >= kMaxColumns) break;
        int rs = Span(c->v.element, "rowspan"), cs = Span(c->v.element, "colspan");
        std::string text;
        CellText(c, &text);
        while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
        for (int dr = 0; dr < rs && r + dr < static_cast<size_t>(kMaxRows); ++dr) {
          size_t rr = r + dr;
          if (grid.size() <= rr) grid.resize(rr + 1), taken.resize(rr + 1);
          for (int dc = 0; dc < cs && col + dc < kMaxColumns; ++dc) {
            size_t cc = col + dc;
            if (grid[rr].size() <= cc) grid[rr].resize(cc + 1), taken[rr].resize(cc + 1);
            taken[rr][cc] = true;
            DocCell& cell = grid[rr][cc];
            cell.source.line = static_cast<int>(c->v.element.start_pos.line);
            if (dr == 0 && dc == 0) cell.text = text;
            else cell.covered = true;
          }
        }
        col += cs;
      }
    }
    // Rows end at the table's width.
    size_t width = 0;
    for (const auto& row : grid) width = std::max(width, row.size());
    for (auto& row : grid) row.resize(width);
  }

  Document* doc_;
  std::string pending_;
  int pending_line_ = 0;
};

}  // namespace

absl::StatusOr<Document> ReadHtml(absl::string_view bytes) {
  if (bytes.size() > kMaxDocumentBytes) {
    return absl::InvalidArgumentError(absl::StrCat("web page is ", bytes.size(),
                                                   " bytes; the limit is ", kMaxDocumentBytes));
  }
  std::string utf8;
  std::string charset = DeclaredCharset(bytes);
  if (absl::StartsWith(bytes, "\xEF\xBB\xBF")) charset = "utf-8";
  bool gb = charset == "gbk" || charset == "gb2312" || charset == "gb18030" || charset == "x-gbk";
  if (charset.empty() || charset == "utf-8" || charset == "utf8") {
    // Undeclared or declared UTF-8 but not UTF-8: pages saved from Chinese
    // sites are then GB18030 in practice.
    gb = Utf8ErrorOffset(bytes) != absl::string_view::npos;
    if (!gb) utf8 = std::string(bytes);
  } else if (!gb) {
    absl::StatusOr<std::string> converted = ToUtf8(bytes, charset.c_str());
    if (!converted.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("web page: charset '", charset, "' is not one this reader knows"));
    }
    utf8 = std::move(*converted);
  }
  if (gb) {
    absl::StatusOr<std::string> converted = ToUtf8(bytes, "GB18030");
    if (!converted.ok()) return converted.status();
    utf8 = std::move(*converted);
  }
  // NUL bytes would end gumbo's strings early.
  utf8.erase(std::remove(utf8.begin(), utf8.end(), '\0'), utf8.end());

  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> out(
      gumbo_parse_with_options(&kGumboDefaultOptions, utf8.data(), utf8.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  Document doc;
  doc.format = "html";
  const GumboNode* body = FindTag(out->root, GUMBO_TAG_BODY);
  if (body == nullptr) body = out->root;
  std::map<const GumboNode*, size_t> memo;
  size_t total = ContentLength(body, false, &memo);
  if (total == 0) return absl::InvalidArgumentError("web page: no text");
  // The article: descend while one child holds most of the text.
  const GumboNode* article = body;
  for (bool moved = true; moved;) {
    moved = false;
    const GumboVector& ch = article->v.element.children;
    for (unsigned i = 0; i < ch.length; ++i) {
      const auto* c = static_cast<const GumboNode*>(ch.data[i]);
      auto it = memo.find(c);
      if (it != memo.end() && it->second * 10 >= total * 8 && !IsLeafTable(c)) {
        article = c;
        moved = true;
        break;
      }
    }
  }
  Walker walker(&doc);
  walker.Walk(article);
  walker.Flush();
  // A title outside the article: the last heading before it that names a
  // report, else the page's <title>.
  bool has_title = false;
  for (size_t i = 0; i < doc.blocks.size() && i < 8; ++i) {
    has_title |= doc.blocks[i].kind == DocBlock::kParagraph && LooksLikeTitle(doc.blocks[i].text);
  }
  if (!has_title) {
    Document outside;
    Walker all(&outside);
    all.Walk(body);
    all.Flush();
    const DocBlock* title = nullptr;
    for (const DocBlock& b : outside.blocks) {
      if (b.kind != DocBlock::kParagraph) continue;
      if (!doc.blocks.empty() && b.source.line >= doc.blocks.front().source.line) break;
      if (LooksLikeTitle(b.text)) title = &b;
    }
    if (title == nullptr) {
      if (const GumboNode* t = FindTag(out->root, GUMBO_TAG_TITLE);
          t != nullptr && t->v.element.children.length > 0) {
        const auto* text = static_cast<const GumboNode*>(t->v.element.children.data[0]);
        if (text->type == GUMBO_NODE_TEXT &&
            absl::string_view(text->v.text.text).find("年度报告") != absl::string_view::npos) {
          DocBlock b;
          std::string s = text->v.text.text;
          // "…年度报告_某某网" / "… - 某某网": the site's name dropped.
          for (const char* sep : {"_", " - ", "|", "－"}) {
            size_t at = s.find(sep, s.find("年度报告"));
            if (at != std::string::npos) s.resize(at);
          }
          b.text = std::string(absl::StripAsciiWhitespace(s));
          b.source.line = static_cast<int>(text->v.text.start_pos.line);
          doc.blocks.insert(doc.blocks.begin(), b);
        }
      }
    } else {
      doc.blocks.insert(doc.blocks.begin(), *title);
    }
  }
  return doc;
}

}  // namespace disclosure
