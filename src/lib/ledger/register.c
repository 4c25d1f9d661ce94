/*++
 * NAME
 *	register - the table of the ledger's registers
 * DESCRIPTION
 *	Every register of the governance ledger is described here as data:
 *	its noun, its table, its columns with their types, which are
 *	required, what they reference and which dates are duties.  The
 *	generic code (record.c for add/list/show/set/delete, csv.c for
 *	import and export, due.c for the recurrence engine, the CLI) reads
 *	only this table, so adding a register is a row here and a
 *	migration, not new code.
 *
 *	Classification is data too: a LEVEL column names a scheme whose
 *	levels are rows of ledger_level (seeded with the MIC guideline's
 *	schemes), so a city can add levels, definitions and handling rules
 *	with "kyojin ledger level add" instead of a new build.
 * SECURITY
 *	Constant data.  Column and table names here are the only
 *	identifiers that ever reach SQL text; values are always bound.
 * LIMITS
 *	Text values are bounded by KJ_LEDGER_MAX_VALUE (value.c).
 * STANDARDS
 *	基本方針 3 (threats), 5 (遵守義務: pledges), 6(1) (organisation),
 *	6(2) (情報資産の分類と管理), 6(5) (training), 6(7) (incidents),
 *	6(8) (contractors, cloud, social media), 6(9), 7 (audits), 8 (risk).
 * SEE ALSO
 *	ledger.h, ledger-schema.h (the tables), record.c, due.c
 *--*/
#include "ledger/ledger-private.h"

#include <string.h>

#define COLS(a) (a), G_N_ELEMENTS(a)
#define REQ KJ_LEDGER_COL_REQUIRED
#define DUE KJ_LEDGER_COL_DUE
#define DER KJ_LEDGER_COL_DERIVED

static const KjLedgerColumn department_cols[] = {
    {"name", "名称", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"kind", "種別", KJ_LEDGER_ENUM, 0, "課|室|所|施設|事務局|委員会|その他", 0, 0},
    {"organisation", "組織", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"parent", "上位組織", KJ_LEDGER_REF, 0, "department", 0, 0},
};

static const KjLedgerColumn person_cols[] = {
    {"name", "氏名", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"department", "所属", KJ_LEDGER_REF, REQ, "department", 0, 0},
    {"employment", "任用形態", KJ_LEDGER_ENUM, 0,
     "職員|会計年度任用職員|臨時・非常勤職員|委託事業者", 0, 0},
    {"email", "メール", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
};

static const KjLedgerColumn role_cols[] = {
    {"role", "役割", KJ_LEDGER_ENUM, REQ,
     "CISO|統括情報セキュリティ責任者|情報セキュリティ責任者|情報セキュリティ管理者|"
     "情報システム管理者|CSIRT",
     0, 0},
    {"person", "担当者", KJ_LEDGER_REF, REQ, "person", 0, 0},
    {"department", "所属", KJ_LEDGER_REF, 0, "department", 0, 0},
    {"since", "就任日", KJ_LEDGER_DATE, 0, NULL, 0, 0},
};

static const KjLedgerColumn scheme_cols[] = {
    {"name", "名称", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"dimension", "観点", KJ_LEDGER_ENUM, REQ, "機密性|完全性|可用性", 0, 0},
    {"source", "出典", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
};

static const KjLedgerColumn level_cols[] = {
    {"scheme", "分類体系", KJ_LEDGER_REF, REQ, "scheme", 0, 0},
    {"code", "区分", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"rank", "順位", KJ_LEDGER_INT, REQ, NULL, 1, 99},
    {"definition", "定義", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"handling", "取扱制限", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"required_handling", "必須の取扱制限", KJ_LEDGER_LIST, 0, "restriction", 0, 0},
    {"contract_clauses", "委託契約の必須条項", KJ_LEDGER_LIST, 0, NULL, 0, 0},
    {"equivalent", "対応する区分", KJ_LEDGER_REF, 0, "level", 0, 0},
    {"minimum_for", "最低限この区分とする資産", KJ_LEDGER_LIST, 0, "my_number|personal_info", 0, 0},
    {"cloud_locations", "クラウドでの保管を認める国", KJ_LEDGER_LIST, 0, NULL, 0, 0},
};

static const KjLedgerColumn restriction_cols[] = {
    {"definition", "内容", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
};

static const KjLedgerColumn contractor_cols[] = {
    {"name", "事業者名", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"kind", "種別", KJ_LEDGER_ENUM, 0, "業務委託|保守|クラウド|その他", 0, 0},
    {"responsible", "責任者", KJ_LEDGER_REF, REQ, "person", 0, 0},
    {"clauses", "契約のセキュリティ条項", KJ_LEDGER_LIST, 0, NULL, 0, 0},
    {"contract_end", "契約終了日", KJ_LEDGER_DATE, 0, NULL, 0, 0},
    {"next_review", "次回確認日", KJ_LEDGER_DATE, DUE, NULL, 0, 0},
};

static const KjLedgerColumn asset_cols[] = {
    {"name", "名称", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"kind", "種別", KJ_LEDGER_ENUM, REQ, "network|system|medium|information|document", 0, 0},
    {"department", "所管課", KJ_LEDGER_REF, REQ, "department", 0, 0},
    {"custodian", "管理者", KJ_LEDGER_REF, 0, "person", 0, 0},
    {"segment", "系", KJ_LEDGER_ENUM, 0, "mynumber|lgwan|internet", 0, 0},
    {"location", "保管場所", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"format", "形態", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"retention", "保存期間", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"handling", "取扱制限", KJ_LEDGER_LIST, 0, "restriction", 0, 0},
    {"hosts", "ホスト", KJ_LEDGER_LIST, 0, NULL, 0, 0},
    {"held_in", "格納先", KJ_LEDGER_REF, 0, "asset", 0, 0},
    {"confidentiality", "機密性", KJ_LEDGER_LEVEL, 0, "mic-c", 0, 0},
    {"integrity", "完全性", KJ_LEDGER_LEVEL, 0, "mic-i", 0, 0},
    {"availability", "可用性", KJ_LEDGER_LEVEL, 0, "mic-a", 0, 0},
    {"lg_confidentiality", "自治体機密性", KJ_LEDGER_LEVEL, 0, "lg-c", 0, 0},
    {"personal_info", "個人情報", KJ_LEDGER_BOOL, 0, NULL, 0, 0},
    {"my_number", "個人番号", KJ_LEDGER_BOOL, 0, NULL, 0, 0},
    {"contractor", "取扱委託先", KJ_LEDGER_REF, 0, "contractor", 0, 0},
    {"cloud", "利用する外部サービス", KJ_LEDGER_REF, 0, "cloud", 0, 0},
};

static const KjLedgerColumn cloud_cols[] = {
    {"name", "サービス名", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"provider", "提供者", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"contractor", "契約先", KJ_LEDGER_REF, 0, "contractor", 0, 0},
    {"data_location", "データ保管場所", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"responsible", "責任者", KJ_LEDGER_REF, REQ, "person", 0, 0},
    {"next_review", "次回確認日", KJ_LEDGER_DATE, DUE, NULL, 0, 0},
    {"data_countries", "データ保管国", KJ_LEDGER_LIST, 0, NULL, 0, 0},
    {"governing_law", "準拠法", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"jurisdiction", "裁判管轄", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
};

/* 基本方針 6(8): "利用するソーシャルメディアサービスごとの責任者を定める". */
static const KjLedgerColumn social_cols[] = {
    {"service", "サービス", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"account", "アカウント", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"responsible", "責任者", KJ_LEDGER_REF, REQ, "person", 0, 0},
    {"operating_rules", "運用手順", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"next_review", "次回確認日", KJ_LEDGER_DATE, DUE, NULL, 0, 0},
};

static const KjLedgerColumn threat_cols[] = {
    {"threat_group", "脅威区分", KJ_LEDGER_INT, REQ, NULL, 1, 5},
    {"name", "名称", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"description", "内容", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
};

static const KjLedgerColumn risk_level_cols[] = {
    {"rank", "順位", KJ_LEDGER_INT, REQ, NULL, 1, 99},
    {"review_months", "見直し間隔(月)", KJ_LEDGER_INT, REQ, NULL, 1, 120},
};

static const KjLedgerColumn risk_grid_cols[] = {
    {"likelihood", "発生可能性", KJ_LEDGER_INT, REQ, NULL, 1, 5},
    {"impact", "影響度", KJ_LEDGER_INT, REQ, NULL, 1, 5},
    {"level", "リスクレベル", KJ_LEDGER_REF, REQ, "risk-level", 0, 0},
};

static const KjLedgerColumn risk_cols[] = {
    {"asset", "情報資産", KJ_LEDGER_REF, REQ, "asset", 0, 0},
    {"threat", "脅威", KJ_LEDGER_REF, REQ, "threat", 0, 0},
    {"likelihood", "発生可能性", KJ_LEDGER_INT, REQ, NULL, 1, 5},
    {"impact", "影響度", KJ_LEDGER_INT, REQ, NULL, 1, 5},
    {"inherent_level", "固有リスク", KJ_LEDGER_TEXT, DER, NULL, 0, 0},
    {"current_likelihood", "現状の発生可能性", KJ_LEDGER_INT, 0, NULL, 1, 5},
    {"current_impact", "現状の影響度", KJ_LEDGER_INT, 0, NULL, 1, 5},
    {"current_level", "現状リスク", KJ_LEDGER_TEXT, DER, NULL, 0, 0},
    {"residual_likelihood", "残留発生可能性", KJ_LEDGER_INT, 0, NULL, 1, 5},
    {"residual_impact", "残留影響度", KJ_LEDGER_INT, 0, NULL, 1, 5},
    {"residual_level", "残留リスク", KJ_LEDGER_TEXT, DER, NULL, 0, 0},
    {"treatment", "対応", KJ_LEDGER_ENUM, 0, "低減|回避|移転|受容", 0, 0},
    {"owner", "リスク所有者", KJ_LEDGER_REF, 0, "person", 0, 0},
    {"accepted_by", "受容承認者", KJ_LEDGER_REF, 0, "person", 0, 0},
    {"acceptance_expiry", "受容期限", KJ_LEDGER_DATE, DUE, NULL, 0, 0},
    {"next_review", "次回見直し日", KJ_LEDGER_DATE, DUE | DER, NULL, 0, 0},
};

static const KjLedgerColumn incident_cols[] = {
    {"title", "件名", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"category", "脅威区分", KJ_LEDGER_INT, REQ, NULL, 1, 5},
    {"severity", "重大度", KJ_LEDGER_ENUM, REQ, "高|中|低", 0, 0},
    {"status", "状態", KJ_LEDGER_ENUM, REQ, "報告|初動対応|調査|復旧|再発防止|完了", 0, 0},
    {"reporter", "報告者", KJ_LEDGER_REF, 0, "person", 0, 0},
    {"assets", "影響資産", KJ_LEDGER_LIST, 0, "asset", 0, 0},
    {"discovered", "発覚日", KJ_LEDGER_DATE, REQ, NULL, 0, 0},
    {"personal_info", "個人情報", KJ_LEDGER_BOOL, 0, NULL, 0, 0},
    {"my_number", "個人番号", KJ_LEDGER_BOOL, 0, NULL, 0, 0},
    {"ppc_preliminary_due", "個人情報保護委員会への速報期限", KJ_LEDGER_DATE, DUE | DER, NULL, 0,
     0},
    {"ppc_final_due", "個人情報保護委員会への確報期限", KJ_LEDGER_DATE, DUE | DER, NULL, 0, 0},
    {"reported_to", "報告先", KJ_LEDGER_LIST, 0, NULL, 0, 0},
};

static const KjLedgerColumn timeline_cols[] = {
    {"incident", "インシデント", KJ_LEDGER_REF, REQ, "incident", 0, 0},
    {"at", "日付", KJ_LEDGER_DATE, REQ, NULL, 0, 0},
    {"entry", "内容", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
};

static const KjLedgerColumn audit_plan_cols[] = {
    {"kind", "種別", KJ_LEDGER_ENUM, REQ, "年次|複数年|特別", 0, 0},
    {"fiscal_year", "年度", KJ_LEDGER_INT, 0, NULL, 1989, 2200},
    {"scope", "対象", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"auditor", "監査人", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"planned", "実施予定日", KJ_LEDGER_DATE, DUE, NULL, 0, 0},
};

static const KjLedgerColumn audit_finding_cols[] = {
    {"plan", "監査計画", KJ_LEDGER_REF, REQ, "audit-plan", 0, 0},
    {"grade", "評価", KJ_LEDGER_ENUM, REQ, "重大な不適合|軽微な不適合|観察事項|推奨事項", 0, 0},
    {"department", "対象課", KJ_LEDGER_REF, 0, "department", 0, 0},
    {"clause", "条項", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"description", "内容", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"corrective_action", "是正措置", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"owner", "担当者", KJ_LEDGER_REF, 0, "person", 0, 0},
    {"due", "期限", KJ_LEDGER_DATE, DUE, NULL, 0, 0},
    {"status", "状態", KJ_LEDGER_ENUM, 0, "open|closed", 0, 0},
};

static const KjLedgerColumn audit_followup_cols[] = {
    {"finding", "指摘事項", KJ_LEDGER_REF, REQ, "audit-finding", 0, 0},
    {"at", "確認日", KJ_LEDGER_DATE, REQ, NULL, 0, 0},
    {"entry", "確認の内容", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"result", "結果", KJ_LEDGER_ENUM, REQ, "未着手|対応中|是正済み|確認済み|再指摘", 0, 0},
    {"verified_by", "確認者", KJ_LEDGER_REF, 0, "person", 0, 0},
    {"next_check", "次回確認日", KJ_LEDGER_DATE, DUE, NULL, 0, 0},
};

static const KjLedgerColumn training_cols[] = {
    {"person", "職員", KJ_LEDGER_REF, REQ, "person", 0, 0},
    {"course", "研修", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"completed_on", "受講日", KJ_LEDGER_DATE, REQ, NULL, 0, 0},
};

static const KjLedgerColumn pledge_cols[] = {
    {"person", "職員", KJ_LEDGER_REF, REQ, "person", 0, 0},
    {"signed_on", "提出日", KJ_LEDGER_DATE, REQ, NULL, 0, 0},
};

static const KjLedgerColumn duty_cols[] = {
    {"name", "名称", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"clause", "根拠", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"interval_months", "周期(月)", KJ_LEDGER_INT, REQ, NULL, 1, 120},
    {"last_done", "前回実施日", KJ_LEDGER_DATE, 0, NULL, 0, 0},
    {"next_due", "次回期限", KJ_LEDGER_DATE, DUE | DER, NULL, 0, 0},
};

static const KjLedgerColumn checklist_cols[] = {
    {"parent", "上位項目", KJ_LEDGER_REF, 0, "checklist", 0, 0},
    {"clause", "根拠条項", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"question", "点検項目", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
};

static const KjLedgerColumn campaign_cols[] = {
    {"name", "名称", KJ_LEDGER_TEXT, REQ, NULL, 0, 0},
    {"period_start", "開始日", KJ_LEDGER_DATE, REQ, NULL, 0, 0},
    {"period_end", "回答期限", KJ_LEDGER_DATE, REQ | DUE, NULL, 0, 0},
    {"status", "状態", KJ_LEDGER_ENUM, REQ, "open|closed", 0, 0},
};

static const KjLedgerColumn answer_cols[] = {
    {"campaign", "自己点検", KJ_LEDGER_REF, REQ, "campaign", 0, 0},
    {"department", "所属", KJ_LEDGER_REF, REQ, "department", 0, 0},
    {"item", "点検項目", KJ_LEDGER_REF, REQ, "checklist", 0, 0},
    {"result", "回答", KJ_LEDGER_ENUM, 0, "適合|一部適合|不適合|該当なし", 0, 0},
    {"evidence", "根拠資料・備考", KJ_LEDGER_TEXT, 0, NULL, 0, 0},
    {"answered_by", "回答者", KJ_LEDGER_REF, 0, "person", 0, 0},
};

static const KjLedgerRegister registers[] = {
    {"department", "ledger_department", "課・室・所 (基本方針 4(1), 6(1))", COLS(department_cols),
     NULL, NULL, NULL},
    {"person", "ledger_person", "職員等 (基本方針 5)", COLS(person_cols), NULL, NULL, NULL},
    {"role", "ledger_role", "CISO・統括情報セキュリティ責任者・管理者・CSIRT (基本方針 6(1))",
     COLS(role_cols), NULL, NULL, NULL},
    {"scheme", "ledger_scheme", "classification schemes (基本方針 6(2))", COLS(scheme_cols), NULL,
     NULL, NULL},
    {"level", "ledger_level", "levels of a scheme with definitions and handling (基本方針 6(2))",
     COLS(level_cols), NULL, NULL, NULL},
    {"restriction", "ledger_restriction", "取扱制限の種類 (基本方針 6(2))", COLS(restriction_cols),
     NULL, NULL, NULL},
    {"contractor", "ledger_contractor", "委託事業者 and their contract clauses (基本方針 6(8))",
     COLS(contractor_cols), NULL, NULL, NULL},
    {"cloud", "ledger_cloud", "外部サービス (クラウドサービス) (基本方針 6(8))", COLS(cloud_cols),
     NULL, NULL, NULL},
    {"asset", "ledger_asset", "情報資産管理台帳 (基本方針 4(2), 6(2))", COLS(asset_cols), NULL,
     NULL, NULL},
    {"social", "ledger_social", "ソーシャルメディアのアカウント (基本方針 6(8))", COLS(social_cols),
     NULL, NULL, NULL},
    {"threat", "ledger_threat", "脅威 (基本方針 3)", COLS(threat_cols), NULL, NULL, NULL},
    {"risk-level", "ledger_risk_level", "risk levels and their review interval (基本方針 8)",
     COLS(risk_level_cols), NULL, NULL, NULL},
    {"risk-grid", "ledger_risk_grid", "likelihood x impact -> level (基本方針 8)",
     COLS(risk_grid_cols), NULL, NULL, NULL},
    {"risk", "ledger_risk", "リスク per asset and threat (基本方針 8)", COLS(risk_cols),
     _kj_ledger_derive_risk, NULL, NULL},
    {"incident", "ledger_incident", "インシデント (基本方針 6(7))", COLS(incident_cols),
     _kj_ledger_derive_incident, "status", "完了"},
    {"timeline", "ledger_timeline", "incident timeline entries (基本方針 6(7))",
     COLS(timeline_cols), NULL, NULL, NULL},
    {"audit-plan", "ledger_audit_plan", "情報セキュリティ監査の計画 (基本方針 7)",
     COLS(audit_plan_cols), NULL, NULL, NULL},
    {"audit-finding", "ledger_audit_finding", "監査の指摘事項と是正措置 (基本方針 7, 6(9))",
     COLS(audit_finding_cols), NULL, "status", "closed"},
    {"audit-followup", "ledger_audit_followup",
     "指摘事項のフォローアップ: 是正措置の確認 (基本方針 7)", COLS(audit_followup_cols), NULL, NULL,
     NULL},
    {"training", "ledger_training", "研修の受講記録 (基本方針 6(5))", COLS(training_cols), NULL,
     NULL, NULL},
    {"pledge", "ledger_pledge", "遵守の誓約 (基本方針 5)", COLS(pledge_cols), NULL, NULL, NULL},
    {"duty", "ledger_duty", "periodic duties (基本方針 6(9), 7, 8)", COLS(duty_cols),
     _kj_ledger_derive_duty, NULL, NULL},
    {"checklist", "ledger_checklist",
     "自己点検の点検項目 (tree, each citing its clause; 基本方針 7)", COLS(checklist_cols), NULL,
     NULL, NULL},
    {"campaign", "ledger_campaign", "自己点検の実施 (kyojin inspect start; 基本方針 7)",
     COLS(campaign_cols), NULL, "status", "closed"},
    {"answer", "ledger_answer", "自己点検の回答 per department and item (基本方針 7)",
     COLS(answer_cols), NULL, NULL, NULL},
};

const KjLedgerRegister *kj_ledger_registers(gsize *n)
{
	*n = G_N_ELEMENTS(registers);
	return registers;
}

const KjLedgerRegister *kj_ledger_register_find(const char *noun)
{
	for (gsize i = 0; i < G_N_ELEMENTS(registers); i++)
		if (strcmp(registers[i].noun, noun) == 0)
			return &registers[i];
	return NULL;
}

int kj_ledger_column_index(const KjLedgerRegister *reg, const char *name)
{
	for (gsize i = 0; i < reg->n_columns; i++)
		if (strcmp(reg->columns[i].name, name) == 0 ||
		    strcmp(reg->columns[i].label, name) == 0)
			return (int)i;
	return -1;
}

const char *kj_ledger_type_name(KjLedgerType type)
{
	static const char *const names[] = {"text",   "integer",   "boolean", "date",
					    "choice", "reference", "level",   "list"};

	return type < G_N_ELEMENTS(names) ? names[type] : "?";
}
