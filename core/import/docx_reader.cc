#include "core/import/docx_reader.h"

#include <zip.h>

#include <memory>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/import/import.h"

namespace disclosure {
namespace {

absl::StatusOr<std::string> DocumentXml(absl::string_view bytes) {
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
  std::unique_ptr<zip_t, int (*)(zip_t*)> archive(za, zip_close);
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(za, "word/document.xml", 0, &st) != 0) {
    return absl::InvalidArgumentError(
        "DOCX: no word/document.xml in the archive: not a Word document");
  }
  if ((st.valid & ZIP_STAT_SIZE) == 0 || st.size > kMaxDocumentBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "DOCX: word/document.xml unpacks to more than ", kMaxDocumentBytes, " bytes"));
  }
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
    return absl::InvalidArgumentError("DOCX: encrypted; save it again without a password");
  }
  std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(zip_fopen(za, "word/document.xml", 0),
                                                         zip_fclose);
  if (file == nullptr) return absl::InvalidArgumentError("DOCX: word/document.xml is damaged");
  std::string xml(st.size, '\0');
  zip_int64_t got = 0;
  while (got < static_cast<zip_int64_t>(xml.size())) {
    zip_int64_t n = zip_fread(file.get(), xml.data() + got, xml.size() - got);
    if (n <= 0) break;
    got += n;
  }
  if (got != static_cast<zip_int64_t>(xml.size())) {
    return absl::InvalidArgumentError("DOCX: word/document.xml is damaged (short read)");
  }
  return xml;
}

bool Is(const pugi::xml_node& n, const char* name) { return strcmp(n.name(), name) == 0; }

// The text of a paragraph (or of everything below `n`).
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
      TextOf(c, out);
    } else if (!Is(c, "w:pPr") && !Is(c, "w:rPr") && !Is(c, "w:instrText") &&
               !Is(c, "w:delText") && !Is(c, "w:tcPr")) {
      TextOf(c, out);
    }
  }
}

class BodyReader {
 public:
  explicit BodyReader(Document* doc) : doc_(doc) {}

  void Read(const pugi::xml_node& parent) {
    for (pugi::xml_node c : parent.children()) {
      if (Is(c, "w:p")) {
        std::string text;
        TextOf(c, &text);
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
        if (!continues) TextOf(tc, &text);
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
  int number_ = 0;
};

}  // namespace

absl::StatusOr<Document> ReadDocx(absl::string_view bytes) {
  if (bytes.size() > kMaxDocumentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("DOCX is ", bytes.size(), " bytes; the limit is ", kMaxDocumentBytes));
  }
  absl::StatusOr<std::string> xml = DocumentXml(bytes);
  if (!xml.ok()) return xml.status();
  pugi::xml_document dom;
  pugi::xml_parse_result parsed = dom.load_buffer(xml->data(), xml->size());
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat("DOCX: word/document.xml is not XML (offset ",
                                                   parsed.offset, ": ", parsed.description(), ")"));
  }
  pugi::xml_node body = dom.child("w:document").child("w:body");
  if (!body) return absl::InvalidArgumentError("DOCX: word/document.xml has no w:body");
  Document doc;
  doc.format = "docx";
  BodyReader(&doc).Read(body);
  return doc;
}

}  // namespace disclosure
