// The rule catalogue: one row per audit rule, and nothing else. The RuleId
// enum, AllRules(), the importer's structure findings and the test that
// docs/rules.md lists every rule with its severity all come from this table.
//
// Columns: enumerator, id (stable, in every finding), severity of its
// findings, family (the section of docs/rules.md), Chinese title. Keep the
// order of docs/rules.md. A rule's code is found by its id: every place that
// emits a finding names the id beside the enumerator.
#ifndef DISCLOSURE_CORE_RULES_CATALOGUE_H_
#define DISCLOSURE_CORE_RULES_CATALOGUE_H_

// X(enumerator, id, severity, family, title)
#define DISCLOSURE_RULE_CATALOGUE(X)                                                            \
  /* Tables */                                                                                  \
  X(kT3Bal, "T3-BAL", ERROR, kTables, "表三各列：第一项加第二项之和等于第三项加第四项之和")     \
  X(kT3Out, "T3-OUT", ERROR, kTables, "表三（七）总计等于各项办理结果之和")                     \
  X(kT3Row, "T3-ROW", ERROR, kTables, "表三各行总计等于各类申请人之和")                         \
  X(kT4Sum, "T4-SUM", ERROR, kTables, "表四总计等于维持、纠正、其他结果、尚未审结之和")         \
  X(kTInt, "T-INT", ERROR, kTables, "件数为 0 至 999999999999 的整数")                         \
  /* Also WARNING, for an amount that looks like 元 rather than 万元. */                        \
  X(kT2Fee, "T2-FEE", ERROR, kTables, "行政事业性收费金额为以万元计、至多四位小数的非负数")     \
  X(kT2Repeal, "T2-REPEAL", WARNING, kTables,                                                   \
    "本年废止件数不超过上年现行有效件数与本年制发件数之和")                                     \
  X(kEmpty, "EMPTY", ERROR, kTables, "单元格不得为空（没有的填 0）")                            \
  /* Across years */                                                                            \
  X(kXCarry, "X-CARRY", WARNING, kAcrossYears,                                                  \
    "上年结转申请数等于上年报告的结转下年度继续办理数")                                         \
  X(kXInforce, "X-INFORCE", WARNING, kAcrossYears,                                              \
    "现行有效件数等于上年现行有效件数加本年制发减本年废止")                                     \
  X(kXSame, "X-SAME", WARNING, kAcrossYears, "报告内容与上年报告雷同")                         \
  /* Text against tables */                                                                     \
  X(kNT3, "N-T3", WARNING, kTextAgainstTables, "正文所述申请办理数与表三一致")                  \
  X(kNT3Cover, "N-T3-COVER", WARNING, kTextAgainstTables, "正文列举的办理结果之和等于表三总计") \
  X(kNT4, "N-T4", WARNING, kTextAgainstTables, "正文所述行政复议、行政诉讼情况与表四一致")      \
  X(kNPct, "N-PCT", WARNING, kTextAgainstTables, "正文所述百分比与件数相符")                    \
  X(kNDone, "N-DONE", INFO, kTextAgainstTables, "正文称均已办结而表三有结转下年度的申请")       \
  /* Structure */                                                                               \
  X(kSSect, "S-SECT", WARNING, kStructure, "六个部分齐全、有内容、按模板顺序")                  \
  /* Found by the importer of the published document (StructureFindings); */                   \
  /* Validate() never reports it: a Report has no labels. */                                    \
  X(kSLabel, "S-LABEL", WARNING, kStructure, "行列标签与模板一致")                              \
  /* A cell the document fills that the importer could not read */                              \
  /* (Report.import_record): in place of EMPTY, which the agency did not leave. */              \
  X(kImportUnread, "IMPORT-UNREAD", ERROR, kStructure, "导入时未能读取的单元格须核对原文后补录") \
  /* The published document (Report.published_document) against the report */                \
  /* (CompareWithDocument): the audit service reads the document itself. */                    \
  X(kDocMatch, "DOC-MATCH", ERROR, kStructure, "发布文件中的数字与报送的报告一致")              \
  X(kDocUnread, "DOC-UNREAD", WARNING, kStructure, "发布文件可以读取，以便与报告比对")          \
  X(kSVersion, "S-VERSION", ERROR, kStructure, "2021 年及以后的报告使用 2021 年版模板")         \
  X(kSFee6, "S-FEE6", WARNING, kStructure, "第六部分说明信息处理费的收取情况")                  \
  X(kSYear, "S-YEAR", WARNING, kStructure, "标题、统计期限与正文的年度与报告年度一致")          \
  /* Confidentiality pre-screen */                                                              \
  X(kCId, "C-ID", ERROR, kConfidentiality, "文中含居民身份证号码")                              \
  X(kCMobile, "C-MOBILE", WARNING, kConfidentiality, "文中含手机号码")                          \
  X(kCCard, "C-CARD", WARNING, kConfidentiality, "文中含银行卡号")                              \
  X(kCMark, "C-MARK", ERROR, kConfidentiality, "文中含密级标志")                                \
  /* Deadline */                                                                                \
  X(kDDue, "D-DUE", WARNING, kDeadline, "按期报送（部门 1 月 31 日前，人民政府 3 月 31 日前）")

#endif  // DISCLOSURE_CORE_RULES_CATALOGUE_H_
