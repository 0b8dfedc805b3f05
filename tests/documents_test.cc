// Every reader on real documents: the samples as published (a WPS-made PDF,
// a web page) and the Zhengzhou sample rendered by tests/docgen to a saved
// web page (UTF-8 and GB2312-declared), a PDF printed by Chromium, the
// national template's DOCX filled in, and a noisy scan of that PDF. Every
// cell of the three tables is asserted per format.
#include <zip.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/import/docx_reader.h"
#include "core/import/import.h"
#include "core/report/export.h"
#include "core/rules/rules.h"
#include "core/report/template.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/zip_bytes.h"

namespace disclosure {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Doc(const std::string& name) { return Read(absl::StrCat(DISCLOSURE_TESTDOCS, "/", name)); }
std::string Sample(const std::string& name) {
  return Read(absl::StrCat(DISCLOSURE_SAMPLES, "/", name));
}

v1::Report Expected() {
  v1::Report r;
  EXPECT_TRUE(FromJson(Read(DISCLOSURE_TESTDATA "/zhengzhou-psb-2021.json"), &r).ok());
  return r;
}

// Every count cell and the fee equal; `unread_ok`: a cell may be empty
// instead (a scan), but never another number.
void ExpectSameCells(const v1::Report& want, const v1::Report& got, bool unread_ok,
                     int* unread = nullptr) {
  for (const CountCell& c : AllCountCells()) {
    std::optional<int64_t> w = GetCount(want, c), g = GetCount(got, c);
    if (unread_ok && !g.has_value()) {
      if (unread) ++*unread;
      continue;
    }
    EXPECT_EQ(w, g) << c.field_path;
  }
  if (!unread_ok || GetFee(got).has_value()) {
    EXPECT_EQ(GetFee(want), GetFee(got));
  }
}

void ExpectImportsLikeTheText(const std::string& bytes, const char* format) {
  absl::StatusOr<ImportResult> r = ImportDocument(bytes);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, format);
  EXPECT_FALSE(r->HasUnplaced());
  ExpectSameCells(Expected(), r->report, false);
  // The title and narrative as published, whitespace aside.
  auto squeeze = [](std::string s) {
    s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }), s.end());
    return s;
  };
  EXPECT_EQ(squeeze(r->report.title()), "郑州市公安局2021年政府信息公开工作年度报告");
  EXPECT_EQ(r->report.year(), 2021);
  EXPECT_EQ(r->report.agency().name(), "郑州市公安局");
  EXPECT_EQ(squeeze(r->report.overview()), squeeze(Expected().overview()));
  EXPECT_EQ(squeeze(r->report.other_matters()), squeeze(Expected().other_matters()));
  // The report follows the template: no structure finding.
  for (const v1::Finding& f : StructureFindings(*r)) ADD_FAILURE() << f.rule_id() << " " << f.message();
}

TEST(Documents, TextOfTheSample) {
  absl::StatusOr<ImportResult> r = ImportDocument(Read(DISCLOSURE_TESTDATA "/zhengzhou-psb-2021.txt"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, "text");
  ExpectSameCells(Expected(), r->report, false);
}

TEST(Documents, SavedWebPage) { ExpectImportsLikeTheText(Doc("report.html"), "html"); }
TEST(Documents, SavedWebPageInGbk) { ExpectImportsLikeTheText(Doc("report-gbk.html"), "html"); }
TEST(Documents, PdfPrintedByChromium) { ExpectImportsLikeTheText(Doc("report.pdf"), "pdf"); }

// The same report laid out as many agencies lay it out: their own part
// numbering and a part of their own, the three tables under one heading
// of theirs with captions 表一：… — the tables are found by what they hold.
TEST(Documents, PdfWithTheAgencysOwnParts) {
  absl::StatusOr<ImportResult> r = ImportDocument(Doc("report-own-parts.pdf"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->HasUnplaced());
  ExpectSameCells(Expected(), r->report, false);
  auto squeeze = [](std::string s) {
    s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }), s.end());
    return s;
  };
  EXPECT_EQ(squeeze(r->report.problems_and_improvements()),
            squeeze(Expected().problems_and_improvements()));
  EXPECT_EQ(squeeze(r->report.other_matters()), squeeze(Expected().other_matters()));
  EXPECT_THAT(r->report.overview(), HasSubstr("本机关建立健全政务公开工作机制"));
  EXPECT_THAT(r->report.overview(), Not(HasSubstr("行政许可")));
}

// Whether the OCR engine module (and with it Tesseract) is mapped into
// this process.
bool OcrEngineLoaded() {
  return Read("/proc/self/maps").find("libdisclosure_ocr.so") != std::string::npos;
}

// Tesseract's libraries are loaded only for a scan (core/import/ocr_engine.h):
// a text PDF does not pay their loading time. Each test runs in its own process.
TEST(Documents, OcrEngineIsLoadedOnlyForScans) {
  ASSERT_TRUE(ImportDocument(Doc("report.pdf")).ok());
  EXPECT_FALSE(OcrEngineLoaded());
  EXPECT_EQ(Read("/proc/self/maps").find("libtesseract"), std::string::npos);
  ImportOptions o;
  // Loading is what is tested, not reading: time enough to render page 1
  // on a busy machine (the engine loads for its first page).
  o.max_ocr_seconds = 5;
  (void)ImportDocument(Doc("report-scan.pdf"), o);
  EXPECT_TRUE(OcrEngineLoaded());
}
// OCR off (a budget of 0 s): a scan is refused, saying why, and Tesseract is
// never loaded; a PDF with a text layer still imports.
TEST(Documents, OcrOffRefusesAScan) {
  ImportOptions o;
  o.max_ocr_seconds = 0;
  absl::StatusOr<ImportResult> scan = ImportDocument(Doc("report-scan.pdf"), o);
  ASSERT_EQ(scan.status().code(), absl::StatusCode::kFailedPrecondition) << scan.status();
  EXPECT_THAT(std::string(scan.status().message()), HasSubstr("OCR is off"));
  o.format = DocumentFormat::kScan;
  EXPECT_EQ(ImportDocument(Doc("report.pdf"), o).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(OcrEngineLoaded());
  o.format = DocumentFormat::kAuto;
  EXPECT_TRUE(ImportDocument(Doc("report.pdf"), o).ok());
}
TEST(Documents, TemplateDocxFilledIn) { ExpectImportsLikeTheText(Doc("report.docx"), "docx"); }

// A Word file of the given entries (name, content), zipped in memory.
std::string Zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string bytes = testing::ZipWithEntries("", entries);
  EXPECT_FALSE(bytes.empty());
  return bytes;
}

constexpr char kW[] = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

std::string Docx(const std::string& body, const std::string& numbering = "",
                 const std::string& styles = "") {
  std::vector<std::pair<std::string, std::string>> entries = {
      {"word/document.xml",
       absl::StrCat("<?xml version=\"1.0\"?><w:document ", kW,
                    " xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\""
                    " xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\""
                    " xmlns:v=\"urn:schemas-microsoft-com:vml\"><w:body>",
                    body, "</w:body></w:document>")}};
  if (!numbering.empty()) {
    entries.emplace_back("word/numbering.xml", absl::StrCat("<?xml version=\"1.0\"?><w:numbering ", kW,
                                                            ">", numbering, "</w:numbering>"));
  }
  if (!styles.empty()) {
    entries.emplace_back("word/styles.xml",
                         absl::StrCat("<?xml version=\"1.0\"?><w:styles ", kW, ">", styles, "</w:styles>"));
  }
  return Zip(entries);
}

std::vector<std::string> BlockTexts(const std::string& docx) {
  absl::StatusOr<Document> doc = ReadDocx(docx);
  EXPECT_TRUE(doc.ok()) << doc.status();
  std::vector<std::string> texts;
  if (!doc.ok()) return texts;
  for (const DocBlock& b : doc->blocks) {
    if (b.kind == DocBlock::kParagraph) {
      texts.push_back(b.text);
    } else {
      for (const auto& row : b.rows) {
        for (const DocCell& c : row) texts.push_back(absl::StrCat("|", c.text));
      }
    }
  }
  return texts;
}

// Headings numbered by Word's lists: "一、" is only in numbering.xml, and
// the paragraph (or its style) names the list. Each list counts its levels
// in document order from w:start (or the list's startOverride), a level
// restarting after a paragraph of a higher one; numId 0 takes the numbering
// away. Table cells' paragraphs count too.
TEST(Docx, ListNumbersArePrefixed) {
  std::string numbering =
      "<w:abstractNum w:abstractNumId=\"0\">"
      "<w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/>"
      "<w:lvlText w:val=\"%1、\"/><w:suff w:val=\"nothing\"/></w:lvl>"
      "<w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"japaneseCounting\"/>"
      "<w:lvlText w:val=\"（%2）\"/><w:suff w:val=\"nothing\"/></w:lvl>"
      "<w:lvl w:ilvl=\"2\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/>"
      "<w:lvlText w:val=\"%3.\"/><w:suff w:val=\"nothing\"/></w:lvl></w:abstractNum>"
      "<w:abstractNum w:abstractNumId=\"1\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/>"
      "<w:numFmt w:val=\"ideographTraditional\"/><w:lvlText w:val=\"%1、\"/>"
      "<w:suff w:val=\"nothing\"/></w:lvl></w:abstractNum>"
      "<w:abstractNum w:abstractNumId=\"2\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/>"
      "<w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/></w:lvl></w:abstractNum>"
      "<w:abstractNum w:abstractNumId=\"3\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"2147483647\"/>"
      "<w:numFmt w:val=\"lowerLetter\"/><w:lvlText w:val=\"%1)\"/><w:suff w:val=\"nothing\"/></w:lvl>"
      "</w:abstractNum>"
      "<w:num w:numId=\"4\"><w:abstractNumId w:val=\"3\"/></w:num>"
      "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>"
      "<w:num w:numId=\"2\"><w:abstractNumId w:val=\"1\"/></w:num>"
      "<w:num w:numId=\"3\"><w:abstractNumId w:val=\"2\"/>"
      "<w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"5\"/></w:lvlOverride></w:num>";
  std::string styles =
      "<w:style w:type=\"paragraph\" w:styleId=\"H1\"><w:pPr><w:numPr><w:ilvl w:val=\"0\"/>"
      "<w:numId w:val=\"1\"/></w:numPr></w:pPr></w:style>"
      "<w:style w:type=\"paragraph\" w:styleId=\"H2\"><w:basedOn w:val=\"H1\"/>"
      "<w:pPr><w:numPr><w:ilvl w:val=\"1\"/></w:numPr></w:pPr></w:style>";
  auto p = [](const std::string& ppr, const std::string& text) {
    return absl::StrCat("<w:p><w:pPr>", ppr, "</w:pPr><w:r><w:t>", text, "</w:t></w:r></w:p>");
  };
  std::string h1 = "<w:pStyle w:val=\"H1\"/>", h2 = "<w:pStyle w:val=\"H2\"/>";
  std::string item = "<w:numPr><w:ilvl w:val=\"2\"/><w:numId w:val=\"1\"/></w:numPr>";
  std::string body = absl::StrCat(
      p(h1, "总体情况"), p(h2, "主动公开"), p(item, "属于国家秘密"), p(item, "其他"),
      p(h2, "依申请公开"), p(item, "属于国家秘密"), p(h1, "主动公开政府信息情况"),
      p(h2, "重新计数"), p("<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"2\"/></w:numPr>", "天干"),
      p("<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"3\"/></w:numPr>", "从五起"),
      p(absl::StrCat(h1, "<w:numPr><w:numId w:val=\"0\"/></w:numPr>"), "不编号"),
      "<w:tbl><w:tr><w:tc>", p(item, "属于商业秘密"), "</w:tc></w:tr></w:tbl>",
      p(h1, "收到和处理政府信息公开申请情况"),
      p("<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"4\"/></w:numPr>", "大"),
      p("<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"4\"/></w:numPr>", "大"));
  EXPECT_THAT(BlockTexts(Docx(body, numbering, styles)),
              ::testing::ElementsAre("一、总体情况", "（一）主动公开", "1.属于国家秘密", "2.其他",
                                     "（二）依申请公开", "1.属于国家秘密", "二、主动公开政府信息情况",
                                     "（一）重新计数", "甲、天干", "5. 从五起", "不编号",
                                     "|1.属于商业秘密", "三、收到和处理政府信息公开申请情况",
                                     // numbers past what letters can say: decimal, never wrapping
                                     "2147483647)大", "2147483647)大"));
}

// A text box is written twice, as a DrawingML shape (mc:Choice) and as VML
// for older readers (mc:Fallback): its text is read once.
TEST(Docx, TextBoxIsReadOnce) {
  std::string title = "<w:p><w:r><w:t>某局2021年政府信息公开工作年度报告</w:t></w:r></w:p>";
  std::string body = absl::StrCat(
      "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:wsp><wps:txbx>"
      "<w:txbxContent>", title, "</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice>"
      "<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>", title,
      "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
      "<w:p><w:r><mc:AlternateContent><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>",
      "<w:p><w:r><w:t>只有旧式文本框</w:t></w:r></w:p>",
      "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>");
  EXPECT_THAT(BlockTexts(Docx(body)), ::testing::ElementsAre("某局2021年政府信息公开工作年度报告",
                                                             "只有旧式文本框"));
}

// Other agencies' layouts (tests/docgen/make_layouts.py), read as the
// report itself.
void ExpectLayoutImports(const std::string& name, const char* format) {
  SCOPED_TRACE(name);
  std::string bytes = Doc("layouts/" + name);
  ExpectImportsLikeTheText(bytes, format);
}

TEST(Layouts, DocxHeadingsNumberedByAWordList) { ExpectLayoutImports("d-numbered-headings.docx", "docx"); }
// Headings numbered through their paragraph style, table 三's item labels
// (1. 2. …) by one Word list per group, continued across a split table.
TEST(Layouts, DocxLabelsNumberedByWordLists) { ExpectLayoutImports("d-numbered-labels.docx", "docx"); }
TEST(Layouts, DocxTitleInATextBox) { ExpectLayoutImports("d-textbox-title.docx", "docx"); }
// Chromium repeats a table's thead on every page; the row labels beside the
// group cells centred over their rows keep their values (layout.h).
TEST(Layouts, PdfHeaderOnEveryPage) { ExpectLayoutImports("p-repeated-header.pdf", "pdf"); }
TEST(Layouts, PdfLandscapeHeaderOnEveryPage) { ExpectLayoutImports("p-landscape-thead.pdf", "pdf"); }
// Rows broken across pages below the repeated header; 12 pt in landscape.
TEST(Layouts, PdfRowsSplitBelowTheRepeatedHeader) { ExpectLayoutImports("p-thead-rows-split.pdf", "pdf"); }
TEST(Layouts, PdfLandscapeLargeHeaderOnEveryPage) {
  ExpectLayoutImports("p-landscape-thead-large.pdf", "pdf");
}
// Tables split across pages: the page number line, then the header rows again.
TEST(Layouts, TextTablesSplitWithTheirHeaderRepeated) {
  ExpectLayoutImports("t-page-split-header.txt", "text");
}
TEST(Layouts, WebPageInOneLayoutTable) { ExpectLayoutImports("h-layout-table.html", "html"); }
TEST(Layouts, DocxTableSplitWithItsHeaderRepeated) {
  ExpectLayoutImports("d-split-table-header.docx", "docx");
}

// The 汉阳区 report, whose 规章 row leaves 现行有效件数 blank ("规章  0  0"
// in the PDF's text): the two values are read in the columns they stand in,
// learned from the complete row below, and the blank cell stays blank, not
// unread; the title, set larger, is not continued by the heading under it.
void ExpectHanyangImports(const std::string& name) {
  SCOPED_TRACE(name);
  v1::Report want;
  ASSERT_TRUE(FromJson(Read(DISCLOSURE_TESTDATA "/hanyang-zfb-2022.json"), &want).ok());
  absl::StatusOr<ImportResult> r = ImportDocument(Doc("hanyang/" + name));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, "pdf");
  EXPECT_FALSE(r->HasUnplaced());
  ExpectSameCells(want, r->report, false);
  EXPECT_FALSE(r->report.proactive_disclosure().regulations().has_in_force());
  EXPECT_EQ(r->report.import_record().unread_size(), 0);
  EXPECT_EQ(r->report.title(), want.title());
  bool by_columns = false;
  for (const auto& d : r->diagnostics) {
    by_columns |= d.message().find("按所在列的位置读取") != std::string::npos;
  }
  EXPECT_TRUE(by_columns);
}
TEST(Layouts, PdfRowWithABlankCellReadByColumns) { ExpectHanyangImports("p-small-fonts.pdf"); }
TEST(Layouts, PdfLandscapeTitleApartFromTheFirstHeading) { ExpectHanyangImports("p-landscape.pdf"); }

TEST(Documents, ScanReadsEveryCellExactlyOrNotAtAll) {
  absl::StatusOr<ImportResult> r = ImportDocument(Doc("report-scan.pdf"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, "scan");
  int unread = 0;
  ExpectSameCells(Expected(), r->report, true, &unread);
  // Most of it is read; what is not is reported, never silently empty.
  EXPECT_LT(unread, static_cast<int>(AllCountCells().size()) / 2);
  // Chinese words OCR boxes apart join as the text has them, without spaces.
  EXPECT_THAT(r->report.problems_and_improvements(), HasSubstr("我局政府信息公开工作"));
  if (unread > 0) {
    EXPECT_TRUE(r->HasUnplaced());
  }
}

TEST(Documents, FormatCanBeForced) {
  ImportOptions o;
  o.format = DocumentFormat::kText;
  absl::StatusOr<ImportResult> r = ImportDocument(Doc("report.html"), o);
  // Read as text, the markup is no report.
  EXPECT_FALSE(r.ok() && !r->HasUnplaced() && r->report.requests().received().total() == 86);
}

// The published PDF of 洪泽区人民政府 2024 (WPS; table rows split over pages,
// （六）其他处理 printed as one row, page numbers -1-): the figures read by hand.
TEST(Samples, HongzePdf) {
  absl::StatusOr<ImportResult> r = ImportDocument(Sample("hongze-district-gov-2024.pdf"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, "pdf");
  EXPECT_FALSE(r->HasUnplaced());
  const v1::Report& p = r->report;
  EXPECT_EQ(p.year(), 2024);
  EXPECT_EQ(p.agency().name(), "淮安市洪泽区人民政府");
  const auto& t2 = p.proactive_disclosure();
  EXPECT_EQ(t2.normative_documents().issued(), 3);
  EXPECT_EQ(t2.normative_documents().repealed(), 0);
  EXPECT_EQ(t2.normative_documents().in_force(), 8);
  EXPECT_EQ(t2.administrative_licensing().decisions(), 9487);
  EXPECT_EQ(t2.administrative_penalty().decisions(), 2776);
  EXPECT_EQ(t2.administrative_coercion().decisions(), 84);
  EXPECT_EQ(GetFee(p).value_or(""), "7545");
  const auto& t3 = p.requests();
  EXPECT_EQ(t3.received().natural_person(), 95);
  EXPECT_EQ(t3.received().total(), 95);
  EXPECT_EQ(t3.carried_over_from_previous_year().total(), 0);
  EXPECT_EQ(t3.outcomes().disclosed().total(), 50);
  EXPECT_EQ(t3.outcomes().partially_disclosed().total(), 9);
  EXPECT_EQ(t3.outcomes().withheld().endangers_security_or_stability().total(), 1);
  EXPECT_EQ(t3.outcomes().withheld().process_information().total(), 1);
  EXPECT_EQ(t3.outcomes().withheld().enforcement_case_files().total(), 1);
  EXPECT_EQ(t3.outcomes().unable_to_provide().not_held().total(), 31);
  EXPECT_EQ(t3.outcomes().unable_to_provide().requires_new_compilation().total(), 1);
  EXPECT_EQ(t3.outcomes().not_processed().petition_or_complaint().total(), 1);
  EXPECT_TRUE(t3.outcomes().other_handling().other().has_total());
  EXPECT_EQ(t3.outcomes().other_handling().other().total(), 0);
  EXPECT_EQ(t3.outcomes().total().total(), 95);
  EXPECT_EQ(t3.carried_over_to_next_year().total(), 0);
  const auto& t4 = p.appeals();
  EXPECT_EQ(t4.administrative_reconsideration().upheld(), 1);
  EXPECT_EQ(t4.administrative_reconsideration().corrected(), 1);
  EXPECT_EQ(t4.administrative_reconsideration().total(), 2);
  EXPECT_EQ(t4.litigation_direct().upheld(), 1);
  EXPECT_EQ(t4.litigation_direct().total(), 1);
  EXPECT_EQ(t4.litigation_after_reconsideration().upheld(), 2);
  EXPECT_EQ(t4.litigation_after_reconsideration().other(), 1);
  EXPECT_EQ(t4.litigation_after_reconsideration().total(), 3);
  // Every count cell is filled: no EMPTY finding for a cell the PDF fills.
  for (const CountCell& c : AllCountCells()) EXPECT_TRUE(GetCount(p, c).has_value()) << c.field_path;
  // Diagnostics name the page.
  for (const auto& d : r->diagnostics) {
    if (d.line() == 0 && d.page() == 0) continue;
    EXPECT_GT(d.page(), 0) << d.message();
  }
}

// The article of 平潭综合实验区公安局 2022 (cells as styled <p>, header words
// split over two <p>, rowspan/colspan).
TEST(Samples, PingtanWebPage) {
  absl::StatusOr<ImportResult> r = ImportDocument(Sample("pingtan-psb-2022.html"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, "html");
  EXPECT_FALSE(r->HasUnplaced());
  const v1::Report& p = r->report;
  EXPECT_EQ(p.title(), "平潭综合实验区公安局2022年政府信息公开工作年度报告");
  EXPECT_EQ(p.year(), 2022);
  const auto& t2 = p.proactive_disclosure();
  EXPECT_EQ(t2.normative_documents().issued(), 4);
  EXPECT_EQ(t2.normative_documents().repealed(), 1);
  EXPECT_EQ(t2.normative_documents().in_force(), 7);
  EXPECT_EQ(t2.administrative_penalty().decisions(), 157);
  EXPECT_EQ(t2.administrative_licensing().decisions(), 0);
  EXPECT_EQ(GetFee(p).value_or(""), "0");
  const auto& t3 = p.requests();
  EXPECT_EQ(t3.received().total(), 1);
  EXPECT_EQ(t3.carried_over_from_previous_year().total(), 1);
  EXPECT_EQ(t3.outcomes().partially_disclosed().total(), 1);
  EXPECT_EQ(t3.outcomes().other_handling().amendment_overdue().total(), 1);
  EXPECT_EQ(t3.carried_over_to_next_year().total(), 0);
  for (const CountCell& c : AllCountCells()) EXPECT_TRUE(GetCount(p, c).has_value()) << c.field_path;
  EXPECT_EQ(p.appeals().administrative_reconsideration().total(), 0);
}

// A cell the importer could not read is IMPORT-UNREAD, not EMPTY: the
// audit tells "left blank" from "not read", from the report alone (its
// import_record), so the audit service sees it as reportctl does.
TEST(Documents, UnreadCellsAreNotEmptyCells) {
  std::string text = Read(DISCLOSURE_TESTDATA "/zhengzhou-psb-2021.txt");
  size_t from = text.find("| (六) 其他处理");
  size_t to = text.find("| (七) 总计");
  ASSERT_NE(from, std::string::npos);
  text.replace(from, to - from, "| | (六) 其他处理 | 15 | 0 | 0 | 0 | 0 | 0 | 15 | |\n");
  absl::StatusOr<ImportResult> r = ImportDocument(text);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->report.import_record().format(), "text");
  ASSERT_EQ(r->report.import_record().unread_size(), 3);
  EXPECT_THAT(r->report.import_record().unread(0).source(), HasSubstr("行"));
  // Through the wire format, as the services receive it.
  v1::Report sent;
  ASSERT_TRUE(sent.ParseFromString(r->report.SerializeAsString()));
  int unread = 0, empty = 0;
  for (const auto& f : Validate(sent)) {
    if (f.rule_id() == "IMPORT-UNREAD") {
      ++unread;
      EXPECT_THAT(f.location().field_path(), HasSubstr("other_handling"));
      EXPECT_EQ(f.severity(), v1::ERROR);
      EXPECT_THAT(f.message(), HasSubstr("未能读取"));
    }
    if (f.rule_id() == "EMPTY") {
      ++empty;
      EXPECT_THAT(f.location().field_path(), ::testing::Not(HasSubstr("other_handling")));
    }
  }
  EXPECT_EQ(unread, 21);  // 3 rows × 7 cells, one finding each
  EXPECT_EQ(empty, 0);
  // A clerk who fills an unread cell by hand has no finding on it; a cell the
  // agency left blank is EMPTY, as before.
  sent.mutable_requests()->mutable_outcomes()->mutable_other_handling()->mutable_other()->set_total(3);
  sent.mutable_requests()->mutable_received()->clear_natural_person();
  int unread_after = 0;
  std::vector<std::string> empty_after;
  for (const auto& f : Validate(sent)) {
    unread_after += f.rule_id() == "IMPORT-UNREAD";
    if (f.rule_id() == "EMPTY") empty_after.push_back(f.location().field_path());
  }
  EXPECT_EQ(unread_after, 20);
  EXPECT_THAT(empty_after, ::testing::ElementsAre("requests.received.natural_person"));
}

// ------------------------------------------------------------ bad documents

TEST(BadDocuments, DamagedPdfIsRefusedSayingSo) {
  std::string pdf = Sample("hongze-district-gov-2024.pdf");
  absl::StatusOr<ImportResult> r = ImportDocument(pdf.substr(0, 2000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("PDF"));
}

// A one-page PDF with `content` drawn in Helvetica; `encrypt`: an /Encrypt
// dictionary of the standard security handler whose password is not empty.
std::string MinimalPdf(const std::string& content, bool encrypt) {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      absl::StrCat("<< /Length ", content.size(), " >>\nstream\n", content, "\nendstream"),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  if (encrypt) {
    // O and U are what RC4-40 would store for passwords nobody here knows:
    // the empty user password does not open it.
    objects.push_back(absl::StrCat("<< /Filter /Standard /V 1 /R 2 /P -4 /O <",
                                   std::string(64, 'a'), "> /U <", std::string(64, 'b'), "> >>"));
  }
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    absl::StrAppend(&pdf, i + 1, " 0 obj\n", objects[i], "\nendobj\n");
  }
  size_t xref = pdf.size();
  absl::StrAppend(&pdf, "xref\n0 ", objects.size() + 1, "\n0000000000 65535 f \n");
  for (size_t o : offsets) absl::StrAppend(&pdf, absl::StrFormat("%010d 00000 n \n", o));
  absl::StrAppend(&pdf, "trailer\n<< /Size ", objects.size() + 1, " /Root 1 0 R",
                  encrypt ? " /Encrypt 6 0 R /ID [<0123456789abcdef0123456789abcdef> "
                            "<0123456789abcdef0123456789abcdef>]"
                          : "",
                  " >>\nstartxref\n", xref, "\n%%EOF\n");
  return pdf;
}

TEST(BadDocuments, EncryptedPdfIsRefusedSayingSo) {
  const std::string text = "BT /F1 12 Tf 72 720 Td (Invoice 2021) Tj ET";
  // The same file unencrypted opens (so the refusal below is the password's).
  absl::StatusOr<ImportResult> plain = ImportDocument(MinimalPdf(text, false));
  ASSERT_FALSE(plain.ok());
  EXPECT_THAT(std::string(plain.status().message()), ::testing::Not(HasSubstr("encrypted")));
  absl::StatusOr<ImportResult> r = ImportDocument(MinimalPdf(text, true));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("encrypted with a password"));
}

// A PDF that opens but holds no report is told so, not read as an empty one.
TEST(BadDocuments, PdfThatIsNoReportIsRefusedSayingSo) {
  absl::StatusOr<ImportResult> r =
      ImportDocument(MinimalPdf("BT /F1 12 Tf 72 720 Td (Invoice 2021 total 300) Tj ET", false));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("no part of the 2021 template found"));
}

TEST(BadDocuments, ZipThatIsNoWordFileIsRefusedSayingSo) {
  std::string docx = Doc("report.docx");
  // The archive's central directory cut off: damaged.
  absl::StatusOr<ImportResult> r = ImportDocument(docx.substr(0, docx.size() / 2));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("DOCX"));
}

TEST(BadDocuments, WebPageWithoutReportIsRefused) {
  absl::StatusOr<ImportResult> r =
      ImportDocument("<html><body><ul><li><a href=/>首页</a></li></ul><p>欢迎访问</p></body></html>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BadDocuments, FormatIsFoundFromTheBytes) {
  EXPECT_EQ(SniffFormat("%PDF-1.7\n"), DocumentFormat::kPdf);
  EXPECT_EQ(SniffFormat(std::string("PK\x03\x04", 4) + "rest"), DocumentFormat::kDocx);
  EXPECT_EQ(SniffFormat("<!DOCTYPE html><html>"), DocumentFormat::kHtml);
  EXPECT_EQ(SniffFormat("郑州市公安局 2021 年政府信息公开工作年度报告\n一、总体情况"),
            DocumentFormat::kText);
}

}  // namespace
}  // namespace disclosure
