package export

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// XLSXWriter writes a minimal Office Open XML workbook (SpreadsheetML):
// the sheets are streamed into the zip as rows arrive, and the parts that
// list them (workbook, relationships, content types) are written at Close,
// when their number is known; a zip's entries may come in any order. Text
// cells are inline strings (no shared-string table, which would have to
// hold every distinct string in memory), number columns are numeric cells.
// A sheet holds at most 1,048,576 rows, Excel's limit; past it the rows go
// on in a further sheet, which repeats the header.
//
// Hand-written rather than a library: the Go xlsx libraries build the
// workbook in memory or in a temporary file and write it out at the end,
// which is neither constant memory nor streaming; the format needed here is
// six small parts and one cell syntax.
type XLSXWriter struct {
	zip          *zip.Writer
	sheet        *bufio.Writer // the open sheet's part, nil before the first
	sheets       int
	row          int // rows written to the open sheet
	maxSheetRows int
	buf          []byte
	record       []string
	closed       bool
}

// excelMaxRows is how many rows a worksheet may have.
const excelMaxRows = 1 << 20

// NewXLSX returns an XLSXWriter to w.
func NewXLSX(w io.Writer) *XLSXWriter {
	z := zip.NewWriter(w)
	// Exports are large and go out once: favour speed over size.
	z.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return &XLSXWriter{zip: z, maxSheetRows: excelMaxRows, record: make([]string, 0, len(Columns))}
}

// columnRefs are the column letters of Columns (A, B, ...).
var columnRefs = func() []string {
	refs := make([]string, len(Columns))
	for i := range refs {
		refs[i] = columnLetters(i)
	}
	return refs
}()

// columnLetters is the spreadsheet name of the zero-based column i.
func columnLetters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

const (
	nsMain  = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// Write appends r as one row.
func (x *XLSXWriter) Write(r *Row) error {
	if x.sheet == nil || x.row >= x.maxSheetRows {
		if err := x.nextSheet(); err != nil {
			return err
		}
	}
	x.record = r.values(x.record[:0])
	return x.writeRow(x.record, false)
}

// nextSheet ends the open sheet, if any, and starts the next with a header.
func (x *XLSXWriter) nextSheet() error {
	if err := x.endSheet(); err != nil {
		return err
	}
	x.sheets++
	part, err := x.zip.CreateHeader(&zip.FileHeader{
		Name: fmt.Sprintf("xl/worksheets/sheet%d.xml", x.sheets), Method: zip.Deflate})
	if err != nil {
		return err
	}
	x.sheet = bufio.NewWriterSize(part, 64<<10)
	x.row = 0
	// The header row stays in view while scrolling.
	x.sheet.WriteString(xmlDecl + `<worksheet xmlns="` + nsMain + `"><sheetViews><sheetView workbookViewId="0">` +
		`<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`)
	names := make([]string, len(Columns))
	for i, c := range Columns {
		names[i] = c.Name
	}
	return x.writeRow(names, true)
}

func (x *XLSXWriter) endSheet() error {
	if x.sheet == nil {
		return nil
	}
	x.sheet.WriteString(`</sheetData></worksheet>`)
	err := x.sheet.Flush()
	x.sheet = nil
	return err
}

// writeRow writes one <row>; a header row's cells are all bold text.
func (x *XLSXWriter) writeRow(values []string, header bool) error {
	x.row++
	n := strconv.Itoa(x.row)
	b := x.buf[:0]
	b = append(b, `<row r="`...)
	b = append(b, n...)
	b = append(b, `">`...)
	for i, v := range values {
		b = append(b, `<c r="`...)
		b = append(b, columnRefs[i]...)
		b = append(b, n...)
		switch {
		case header:
			b = append(b, `" s="1" t="inlineStr"><is><t>`...)
			b = appendEscaped(b, v)
			b = append(b, `</t></is></c>`...)
		case Columns[i].Kind == Number:
			b = append(b, `"><v>`...)
			b = appendEscaped(b, v)
			b = append(b, `</v></c>`...)
		default:
			b = append(b, `" t="inlineStr"><is><t`...)
			if v != strings.TrimSpace(v) {
				b = append(b, ` xml:space="preserve"`...)
			}
			b = append(b, '>')
			b = appendEscaped(b, v)
			b = append(b, `</t></is></c>`...)
		}
	}
	b = append(b, `</row>`...)
	x.buf = b
	_, err := x.sheet.Write(b)
	return err
}

// appendEscaped appends s as XML character data: markup characters become
// references, and characters XML 1.0 cannot carry at all (most control
// characters, invalid UTF-8) become U+FFFD, as encoding/xml does.
func appendEscaped(b []byte, s string) []byte {
	w := appendWriter{b}
	xml.EscapeText(&w, []byte(s)) // writes to memory: cannot fail
	return w.b
}

type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// Close ends the last sheet and writes the parts that describe the
// workbook, then the zip's central directory.
func (x *XLSXWriter) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	if x.sheets == 0 { // no rows: a sheet with only the header
		if err := x.nextSheet(); err != nil {
			return err
		}
	}
	if err := x.endSheet(); err != nil {
		return err
	}

	var workbook, workbookRels, types strings.Builder
	workbook.WriteString(xmlDecl + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>`)
	workbookRels.WriteString(xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	types.WriteString(xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	for i := 1; i <= x.sheets; i++ {
		name := "Revenue"
		if i > 1 {
			name = fmt.Sprintf("Revenue %d", i)
		}
		fmt.Fprintf(&workbook, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, name, i, i)
		fmt.Fprintf(&workbookRels, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>`,
			i, nsRel, i)
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i)
	}
	workbook.WriteString(`</sheets></workbook>`)
	fmt.Fprintf(&workbookRels, `<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/></Relationships>`,
		x.sheets+1, nsRel)
	types.WriteString(`</Types>`)

	parts := []struct{ name, body string }{
		{"xl/workbook.xml", workbook.String()},
		{"xl/_rels/workbook.xml.rels", workbookRels.String()},
		{"xl/styles.xml", styles},
		{"_rels/.rels", xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"[Content_Types].xml", types.String()},
	}
	for _, p := range parts {
		w, err := x.zip.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return err
		}
	}
	return x.zip.Close()
}

// styles: the default cell format (0) and bold for the header (1).
const styles = xmlDecl + `<styleSheet xmlns="` + nsMain + `">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`
