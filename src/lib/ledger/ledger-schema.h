/* ledger-schema.h - SQL of the ledger's migrations, kept beside the module
 * so that store/schema.c names them in one row each.  Constant SQL in the
 * portable subset of store/db.h.  Never edit a migration once committed:
 * append a new one.  The seed rows are the MIC guideline's classification
 * schemes, clause 3's five threat groups, a 5x5 risk grid and the periodic
 * duties of 基本方針 5, 6(5), 6(8), 7 and 8. */
#ifndef KJ_LEDGER_SCHEMA_H
#define KJ_LEDGER_SCHEMA_H

/* Columns every register table has (record.c relies on them). */
#define KJ_LEDGER_COMMON                                                                           \
	" key TEXT PRIMARY KEY NOT NULL, version BIGINT NOT NULL,"                                 \
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL"

#define KJ_LEDGER_T0 "1, '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'"

#define KJ_LEDGER_SCHEMA_REGISTERS                                                                 \
	"CREATE TABLE ledger_department (" KJ_LEDGER_COMMON ","                                    \
	" name TEXT, kind TEXT, organisation TEXT, parent TEXT);"                                  \
	"CREATE TABLE ledger_person (" KJ_LEDGER_COMMON ","                                        \
	" name TEXT, department TEXT, employment TEXT, email TEXT);"                               \
	"CREATE TABLE ledger_role (" KJ_LEDGER_COMMON ","                                          \
	" role TEXT, person TEXT, department TEXT, since TEXT);"                                   \
	"CREATE TABLE ledger_scheme (" KJ_LEDGER_COMMON                                            \
	", name TEXT, dimension TEXT, source TEXT);"                                               \
	"CREATE TABLE ledger_level (" KJ_LEDGER_COMMON ","                                         \
	" scheme TEXT, code TEXT, rank BIGINT, definition TEXT, handling TEXT,"                    \
	" required_handling TEXT, contract_clauses TEXT);"                                         \
	"CREATE UNIQUE INDEX ledger_level_code ON ledger_level (scheme, code);"                    \
	"CREATE TABLE ledger_contractor (" KJ_LEDGER_COMMON ","                                    \
	" name TEXT, kind TEXT, responsible TEXT, clauses TEXT, contract_end TEXT,"                \
	" next_review TEXT);"                                                                      \
	"CREATE TABLE ledger_asset (" KJ_LEDGER_COMMON ","                                         \
	" name TEXT, kind TEXT, department TEXT, custodian TEXT, segment TEXT, location TEXT,"     \
	" format TEXT, retention TEXT, handling TEXT, hosts TEXT, held_in TEXT,"                   \
	" confidentiality TEXT, integrity TEXT, availability TEXT, lg_confidentiality TEXT,"       \
	" personal_info BIGINT, my_number BIGINT, contractor TEXT);"                               \
	"CREATE TABLE ledger_cloud (" KJ_LEDGER_COMMON ","                                         \
	" name TEXT, provider TEXT, contractor TEXT, data_location TEXT, responsible TEXT,"        \
	" next_review TEXT);"                                                                      \
	"CREATE TABLE ledger_social (" KJ_LEDGER_COMMON ","                                        \
	" service TEXT, account TEXT, responsible TEXT, operating_rules TEXT, next_review TEXT);"  \
	"CREATE TABLE ledger_threat (" KJ_LEDGER_COMMON ","                                        \
	" threat_group BIGINT, name TEXT, description TEXT);"                                      \
	"CREATE TABLE ledger_risk_level (" KJ_LEDGER_COMMON                                        \
	", rank BIGINT, review_months BIGINT);"                                                    \
	"CREATE TABLE ledger_risk_grid (" KJ_LEDGER_COMMON ","                                     \
	" likelihood BIGINT, impact BIGINT, level TEXT);"                                          \
	"CREATE UNIQUE INDEX ledger_risk_grid_cell ON ledger_risk_grid (likelihood, impact);"      \
	"CREATE TABLE ledger_risk (" KJ_LEDGER_COMMON ","                                          \
	" asset TEXT, threat TEXT, likelihood BIGINT, impact BIGINT, inherent_level TEXT,"         \
	" current_likelihood BIGINT, current_impact BIGINT, current_level TEXT,"                   \
	" residual_likelihood BIGINT, residual_impact BIGINT, residual_level TEXT,"                \
	" treatment TEXT, owner TEXT, accepted_by TEXT, acceptance_expiry TEXT,"                   \
	" next_review TEXT);"                                                                      \
	"CREATE TABLE ledger_incident (" KJ_LEDGER_COMMON ","                                      \
	" title TEXT, category BIGINT, severity TEXT, status TEXT, reporter TEXT, assets TEXT,"    \
	" discovered TEXT, personal_info BIGINT, my_number BIGINT, ppc_preliminary_due TEXT,"      \
	" ppc_final_due TEXT);"                                                                    \
	"CREATE TABLE ledger_timeline (" KJ_LEDGER_COMMON ", incident TEXT, at TEXT, entry TEXT);" \
	"CREATE TABLE ledger_audit_plan (" KJ_LEDGER_COMMON ","                                    \
	" kind TEXT, fiscal_year BIGINT, scope TEXT, auditor TEXT, planned TEXT);"                 \
	"CREATE TABLE ledger_audit_finding (" KJ_LEDGER_COMMON ","                                 \
	" plan TEXT, grade TEXT, department TEXT, clause TEXT, description TEXT,"                  \
	" corrective_action TEXT, owner TEXT, due TEXT, status TEXT);"                             \
	"CREATE TABLE ledger_training (" KJ_LEDGER_COMMON ", person TEXT, course TEXT,"            \
	" completed_on TEXT);"                                                                     \
	"CREATE TABLE ledger_pledge (" KJ_LEDGER_COMMON ", person TEXT, signed_on TEXT);"          \
	"CREATE TABLE ledger_duty (" KJ_LEDGER_COMMON ","                                          \
	" name TEXT, clause TEXT, interval_months BIGINT, last_done TEXT, next_due TEXT)"

/* The MIC guideline's schemes (地方公共団体における情報セキュリティポリシーに
 * 関するガイドライン): definitions abridged; each city confirms the wording. */
#define KJ_LEDGER_SCHEMA_SEED_SCHEMES                                                                                                         \
	"INSERT INTO ledger_scheme VALUES"                                                                                                    \
	" ('mic-c', " KJ_LEDGER_T0 ", '機密性', '機密性', 'MIC guideline'),"                                                            \
	" ('mic-i', " KJ_LEDGER_T0 ", '完全性', '完全性', 'MIC guideline'),"                                                            \
	" ('mic-a', " KJ_LEDGER_T0 ", '可用性', '可用性', 'MIC guideline'),"                                                            \
	" ('lg-c', " KJ_LEDGER_T0 ", '自治体機密性', '機密性', 'MIC guideline (3A/3B/3C)');"                                         \
	"INSERT INTO ledger_level VALUES"                                                                                                     \
	" ('mic-c:3', " KJ_LEDGER_T0 ", 'mic-c', '3', 3,"                                                                                     \
	"  '行政事務で取り扱う情報資産のうち、秘密文書に相当する機密性を要する情報資産',"                \
	"  '支給以外の端末での作業の原則禁止、必要以上の複製及び配付禁止、保管場所の制限、"            \
	"運搬・提供時の暗号化、復元不可能な処理を施しての廃棄',"                                                    \
	"  '複製制限,持出禁止,暗号化必須',"                                                                                      \
	"  'confidentiality,purpose_limit,no_reuse,subcontract_approval,incident_report,"                                                     \
	"return_delete,audit_right'),"                                                                                                        \
	" ('mic-c:2', " KJ_LEDGER_T0 ", 'mic-c', '2', 2,"                                                                                     \
	"  "                                                                                                                                  \
	"'秘密文書に相当する機密性は要しないが、直ちに一般に公表することを前提としていない情報資"  \
	"産',"                                                                                                                               \
	"  '必要以上の複製及び配付禁止、運搬・提供時の暗号化又はパスワード設定',"                            \
	"  '複製制限', 'confidentiality,incident_report,return_delete'),"                                                                 \
	" ('mic-c:1', " KJ_LEDGER_T0 ", 'mic-c', '1', 1,"                                                                                     \
	"  '機密性2又は機密性3の情報資産以外の情報資産', '', '', ''),"                                                    \
	" ('mic-i:2', " KJ_LEDGER_T0 ", 'mic-i', '2', 2,"                                                                                     \
	"  '改ざん、誤びゅう又は破損により、住民の権利が侵害される又は行政事務の適確な遂行に支障"   \
	"（軽微なものを除く。）を及ぼすおそれがある情報資産',"                                                       \
	"  'バックアップ、電子署名付与、施錠可能な場所への保管', '', ''),"                                           \
	" ('mic-i:1', " KJ_LEDGER_T0 ", 'mic-i', '1', 1,"                                                                                     \
	"  '完全性2の情報資産以外の情報資産', '', '', ''),"                                                                    \
	" ('mic-a:2', " KJ_LEDGER_T0 ", 'mic-a', '2', 2,"                                                                                     \
	"  "                                                                                                                                  \
	"'滅失、紛失又は利用不可能であることにより、住民の権利が侵害される又は行政事務の安定的な"  \
	"遂行に支障（軽微なものを除く。）を及ぼすおそれがある情報資産',"                                        \
	"  'バックアップ、指定する時間以内の復旧、施錠可能な場所への保管', '', ''),"                            \
	" ('mic-a:1', " KJ_LEDGER_T0 ", 'mic-a', '1', 1,"                                                                                     \
	"  '可用性2の情報資産以外の情報資産', '', '', ''),"                                                                    \
	" ('lg-c:3A', " KJ_LEDGER_T0 ", 'lg-c', '3A', 5,"                                                                                     \
	"  "                                                                                                                                  \
	"'機密性3のうち、個人番号（特定個人情報）等、漏えいにより住民の権利利益に重大な影響を及ぼ" \
	"す"                                                                                                                                 \
	"情報資産', 'マイナンバー利用事務系でのみ取り扱う、持出禁止、暗号化必須',"                           \
	"  '複製制限,持出禁止,暗号化必須',"                                                                                      \
	"  'confidentiality,purpose_limit,no_reuse,subcontract_approval,incident_report,"                                                     \
	"return_delete,audit_right'),"                                                                                                        \
	" ('lg-c:3B', " KJ_LEDGER_T0 ", 'lg-c', '3B', 4,"                                                                                     \
	"  '機密性3のうち、個人情報等を含み3A以外のもの', '持出禁止、暗号化必須',"                              \
	"  '持出禁止,暗号化必須',"                                                                                                   \
	"  'confidentiality,purpose_limit,no_reuse,subcontract_approval,incident_report,"                                                     \
	"return_delete,audit_right'),"                                                                                                        \
	" ('lg-c:3C', " KJ_LEDGER_T0 ", 'lg-c', '3C', 3,"                                                                                     \
	"  '機密性3のうち、3A及び3B以外のもの', '必要以上の複製及び配付禁止、暗号化',"                         \
	"  '複製制限', 'confidentiality,incident_report,return_delete,audit_right'),"                                                     \
	" ('lg-c:2', " KJ_LEDGER_T0 ", 'lg-c', '2', 2,"                                                                                       \
	"  '機密性2に同じ', '必要以上の複製及び配付禁止', '', 'confidentiality,incident_report'),"                         \
	" ('lg-c:1', " KJ_LEDGER_T0 ", 'lg-c', '1', 1, '機密性1に同じ', '', '', '')"

/* 基本方針 3 (1)-(5), the risk grid (likelihood x impact, 1..5) and the
 * review interval by risk level (基本方針 8). */
#define KJ_LEDGER_SCHEMA_SEED_RISK                                                                                                           \
	"INSERT INTO ledger_threat VALUES"                                                                                                   \
	" ('T1', " KJ_LEDGER_T0 ", 1, '意図的な要因',"                                                                                 \
	"  "                                                                                                                                 \
	"'サイバー攻撃や部外者の侵入等による漏えい・破壊・改ざん・消去、重要情報の詐取、内部不正" \
	"等'),"                                                                                                                             \
	" ('T2', " KJ_LEDGER_T0 ", 2, '非意図的な要因',"                                                                              \
	"  "                                                                                                                                 \
	"'規定違反、設計・開発の不備、操作・設定ミス、委託管理の不備、機器故障等による漏えい・破" \
	"壊・消去等'),"                                                                                                                 \
	" ('T3', " KJ_LEDGER_T0                                                                                                              \
	", 3, '災害', '地震、落雷、火災等の災害によるサービス及び業務の停止等'),"                               \
	" ('T4', " KJ_LEDGER_T0 ", 4, '疾病による要員不足',"                                                                        \
	"  '大規模・広範囲にわたる疾病による要員不足に伴うシステム運用の機能不全等'),"                    \
	" ('T5', " KJ_LEDGER_T0 ", 5, 'インフラの障害',"                                                                              \
	"  '電力供給の途絶、通信の途絶、水道供給の途絶等のインフラの障害からの波及等');"                 \
	"INSERT INTO ledger_risk_level VALUES"                                                                                               \
	" ('低', " KJ_LEDGER_T0 ", 1, 24), ('中', " KJ_LEDGER_T0 ", 2, 12),"                                                                 \
	" ('高', " KJ_LEDGER_T0 ", 3, 6), ('極高', " KJ_LEDGER_T0 ", 4, 3);"                                                                 \
	"INSERT INTO ledger_risk_grid VALUES"                                                                                                \
	" ('L1-I1', " KJ_LEDGER_T0 ", 1, 1, '低'), ('L1-I2', " KJ_LEDGER_T0 ", 1, 2, '低'),"                                                \
	" ('L1-I3', " KJ_LEDGER_T0 ", 1, 3, '低'), ('L1-I4', " KJ_LEDGER_T0 ", 1, 4, '中'),"                                                \
	" ('L1-I5', " KJ_LEDGER_T0 ", 1, 5, '中'), ('L2-I1', " KJ_LEDGER_T0 ", 2, 1, '低'),"                                                \
	" ('L2-I2', " KJ_LEDGER_T0 ", 2, 2, '低'), ('L2-I3', " KJ_LEDGER_T0 ", 2, 3, '中'),"                                                \
	" ('L2-I4', " KJ_LEDGER_T0 ", 2, 4, '中'), ('L2-I5', " KJ_LEDGER_T0 ", 2, 5, '高'),"                                                \
	" ('L3-I1', " KJ_LEDGER_T0 ", 3, 1, '低'), ('L3-I2', " KJ_LEDGER_T0 ", 3, 2, '中'),"                                                \
	" ('L3-I3', " KJ_LEDGER_T0 ", 3, 3, '中'), ('L3-I4', " KJ_LEDGER_T0 ", 3, 4, '高'),"                                                \
	" ('L3-I5', " KJ_LEDGER_T0 ", 3, 5, '極高'), ('L4-I1', " KJ_LEDGER_T0 ", 4, 1, '中'),"                                              \
	" ('L4-I2', " KJ_LEDGER_T0 ", 4, 2, '中'), ('L4-I3', " KJ_LEDGER_T0 ", 4, 3, '高'),"                                                \
	" ('L4-I4', " KJ_LEDGER_T0 ", 4, 4, '極高'), ('L4-I5', " KJ_LEDGER_T0 ", 4, 5, '極高'),"                                           \
	" ('L5-I1', " KJ_LEDGER_T0 ", 5, 1, '中'), ('L5-I2', " KJ_LEDGER_T0 ", 5, 2, '高'),"                                                \
	" ('L5-I3', " KJ_LEDGER_T0 ", 5, 3, '極高'), ('L5-I4', " KJ_LEDGER_T0 ", 5, 4, '極高'),"                                           \
	" ('L5-I5', " KJ_LEDGER_T0 ", 5, 5, '極高');"                                                                                      \
	"INSERT INTO ledger_duty VALUES"                                                                                                     \
	" ('policy-review', " KJ_LEDGER_T0                                                                                                   \
	", 'セキュリティポリシーの見直し', '基本方針 8', 12, NULL,"                                                        \
	"  '2026-03-01'),"                                                                                                                   \
	" ('risk-review', " KJ_LEDGER_T0                                                                                                     \
	", 'リスク評価の見直し', '基本方針 8', 12, NULL, '2026-03-01'),"                                                        \
	" ('self-inspection', " KJ_LEDGER_T0                                                                                                 \
	", '自己点検の実施', '基本方針 7', 12, NULL, '2026-03-01'),"                                                              \
	" ('security-audit', " KJ_LEDGER_T0                                                                                                  \
	", '情報セキュリティ監査の実施', '基本方針 7', 12, NULL,"                                                           \
	"  '2026-03-01'),"                                                                                                                   \
	" ('training', " KJ_LEDGER_T0                                                                                                        \
	", '職員等への情報セキュリティ研修', '基本方針 6(5)', 12, NULL,"                                                  \
	"  '2026-03-01'),"                                                                                                                   \
	" ('contractor-review', " KJ_LEDGER_T0                                                                                               \
	", '委託事業者のセキュリティ対策の確認', '基本方針 6(8)',"                                                      \
	"  12, NULL, '2026-03-01')"

/* Self-inspection (自己点検, 基本方針 7): a checklist tree whose items cite
 * the seed's clauses, campaigns and one answer per department and item. */
#define KJ_LEDGER_SCHEMA_INSPECTION                                                                                                      \
	"CREATE TABLE ledger_checklist (" KJ_LEDGER_COMMON ","                                                                           \
	" parent TEXT, clause TEXT, question TEXT);"                                                                                     \
	"CREATE TABLE ledger_campaign (" KJ_LEDGER_COMMON ","                                                                            \
	" name TEXT, period_start TEXT, period_end TEXT, status TEXT);"                                                                  \
	"CREATE TABLE ledger_answer (" KJ_LEDGER_COMMON ","                                                                              \
	" campaign TEXT, department TEXT, item TEXT, result TEXT, evidence TEXT,"                                                        \
	" answered_by TEXT);"                                                                                                            \
	"CREATE INDEX ledger_answer_campaign ON ledger_answer (campaign, department);"                                                   \
	"INSERT INTO ledger_checklist VALUES"                                                                                            \
	" ('CL-5', " KJ_LEDGER_T0 ", NULL, '基本方針 5', '職員等の遵守義務'),"                                               \
	" ('CL-5-1', " KJ_LEDGER_T0 ", 'CL-5', '基本方針 5', "                                                                       \
	"'職員等は情報セキュリティポリシー及び情報セキュリティ実施手順を遵守しているか'),"         \
	" ('CL-5-2', " KJ_LEDGER_T0                                                                                                      \
	", 'CL-5', '基本方針 5', '職員等は遵守に関する誓約書を提出しているか'),"                                \
	" ('CL-6', " KJ_LEDGER_T0 ", NULL, '基本方針 6', '情報セキュリティ対策'),"                                         \
	" ('CL-6-1', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(1)', "                                                                    \
	"'所属の情報セキュリティ管理者が定められ、役割が周知されているか'),"                              \
	" ('CL-6-2a', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(2)', "                                                                   \
	"'所管する情報資産を情報資産管理台帳に登録し、機密性・完全性"                                       \
	"・可用性に応じて分類しているか'),"                                                                               \
	" ('CL-6-2b', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(2)', "                                                                   \
	"'分類に応じた取扱制限（複製・持出・暗号化・廃棄）を守っているか'),"                              \
	" ('CL-6-3a', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(3)①', "                                                                \
	"'マイナンバー利用事務系の端末で情報の持ち出し不可設定と多要素認証を実施しているか'),"   \
	" ('CL-6-3b', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(3)②', "                                                                \
	"'LGWAN接続系とインターネット接続系の間で通信経路を分割し、無害化通信を利用しているか')," \
	" ('CL-6-3c', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(3)③', "                                                                \
	"'インターネット接続系の通信を自治体情報セキュリティクラウド経由に集約しているか'),"      \
	" ('CL-6-4', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(4)', "                                                                    \
	"'サーバ、情報システム室、通信回線及びパソコン等の物理的な対策を講じているか'),"            \
	" ('CL-6-5', " KJ_LEDGER_T0                                                                                                      \
	", 'CL-6', '基本方針 6(5)', '職員等が情報セキュリティ研修を受講しているか'),"                          \
	" ('CL-6-6', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(6)', "                                                                    \
	"'不正プログラム対策、アクセス制御、不正アクセス対策を講じているか'),"                           \
	" ('CL-6-7', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(7)', "                                                                    \
	"'インシデント発生時の報告経路と緊急時対応計画を把握しているか'),"                                 \
	" ('CL-6-8a', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(8)', "                                                                   \
	"'業務委託契約に情報セキュリティ要件を明記し、委託先の対策を確認しているか'),"               \
	" ('CL-6-8b', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(8)', "                                                                   \
	"'外部サービス（クラウドサービス）を利用規定に従って利用しているか'),"                           \
	" ('CL-6-8c', " KJ_LEDGER_T0 ", 'CL-6', '基本方針 6(8)', "                                                                   \
	"'ソーシャルメディアの運用手順と発信できる情報、責任者を定めているか'),"                        \
	" ('CL-7', " KJ_LEDGER_T0 ", NULL, '基本方針 7', '監査及び自己点検'),"                                               \
	" ('CL-7-1', " KJ_LEDGER_T0                                                                                                      \
	", 'CL-7', '基本方針 6(9), 7', '前回の監査及び自己点検の指摘事項に対応したか')"

/* 基本方針 6(7): whom an incident was reported to, in order (所属長, CSIRT,
 * CISO, 個人情報保護委員会 ...). */
#define KJ_LEDGER_SCHEMA_REPORTING "ALTER TABLE ledger_incident ADD COLUMN reported_to TEXT"

/*
 * Classification and external services, data of the checks of check.c:
 * - a level's equivalent level in another scheme (自治体機密性 3A/3B/3C are
 *   機密性3, 2 is 2, 1 is 1), its minimum_for (the asset flags for which
 *   it is the lowest level allowed: 個人番号 -> 3A and 機密性3, 個人情報 ->
 *   3B) and its cloud_locations (countries where a cloud service may keep
 *   information of that level: Japan for every 機密性3 level);
 * - cloud services' data_countries (ISO 3166-1 alpha-2), governing law
 *   and jurisdiction; an asset's cloud (the external service holding it);
 * - the vocabulary of handling restrictions (取扱制限), so that a
 *   restriction typed differently is a finding instead of a silent miss.
 */
#define KJ_LEDGER_SCHEMA_CLASSIFICATION                                                                                \
	"ALTER TABLE ledger_level ADD COLUMN equivalent TEXT;"                                                         \
	"ALTER TABLE ledger_level ADD COLUMN minimum_for TEXT;"                                                        \
	"ALTER TABLE ledger_level ADD COLUMN cloud_locations TEXT;"                                                    \
	"ALTER TABLE ledger_cloud ADD COLUMN data_countries TEXT;"                                                     \
	"ALTER TABLE ledger_cloud ADD COLUMN governing_law TEXT;"                                                      \
	"ALTER TABLE ledger_cloud ADD COLUMN jurisdiction TEXT;"                                                       \
	"ALTER TABLE ledger_asset ADD COLUMN cloud TEXT;"                                                              \
	"UPDATE ledger_level SET minimum_for = 'my_number', cloud_locations = 'JP'"                                    \
	" WHERE key = 'mic-c:3';"                                                                                      \
	"UPDATE ledger_level SET equivalent = 'mic-c:3', minimum_for = 'my_number',"                                   \
	" cloud_locations = 'JP' WHERE key = 'lg-c:3A';"                                                               \
	"UPDATE ledger_level SET equivalent = 'mic-c:3', minimum_for = 'personal_info',"                               \
	" cloud_locations = 'JP' WHERE key = 'lg-c:3B';"                                                               \
	"UPDATE ledger_level SET equivalent = 'mic-c:3', cloud_locations = 'JP'"                                       \
	" WHERE key = 'lg-c:3C';"                                                                                      \
	"UPDATE ledger_level SET equivalent = 'mic-c:2' WHERE key = 'lg-c:2';"                                         \
	"UPDATE ledger_level SET equivalent = 'mic-c:1' WHERE key = 'lg-c:1';"                                         \
	"CREATE TABLE ledger_restriction (" KJ_LEDGER_COMMON ", definition TEXT);"                                     \
	"INSERT INTO ledger_restriction VALUES"                                                                        \
	" ('複製禁止', " KJ_LEDGER_T0 ", '複製してはならない'),"                                              \
	" ('複製制限', " KJ_LEDGER_T0 ", '業務上必要な範囲を超えて複製・配付してはならない')," \
	" ('持出禁止', " KJ_LEDGER_T0 ", '庁外に持ち出してはならない'),"                                  \
	" ('送信禁止', " KJ_LEDGER_T0 ", '電子メール等で外部に送信してはならない'),"                \
	" ('暗号化必須', " KJ_LEDGER_T0 ", '保存・運搬・送信の際は暗号化する'),"                       \
	" ('印刷禁止', " KJ_LEDGER_T0 ", '印刷してはならない'),"                                              \
	" ('施錠保管', " KJ_LEDGER_T0 ", '施錠できる場所に保管する'),"                                     \
	" ('廃棄時消去', " KJ_LEDGER_T0 ", '廃棄時は復元不可能な処理を施す')"

/*
 * Follow-up of audit findings (基本方針 7): each entry records a check of
 * a finding's corrective action, its result, who verified it and when the
 * next check is due.  A nonconformity closed without an entry whose
 * result is 確認済み is a finding of check.c.
 */
#define KJ_LEDGER_SCHEMA_FOLLOWUP                                                                  \
	"CREATE TABLE ledger_audit_followup (" KJ_LEDGER_COMMON ","                                \
	" finding TEXT, at TEXT, entry TEXT, result TEXT, verified_by TEXT, next_check TEXT);"     \
	"CREATE INDEX ledger_audit_followup_finding ON ledger_audit_followup (finding)"

#endif
