// Package exporttest reads back what package export writes, for tests: an
// XLSX file is opened the way a spreadsheet application does, through its
// content types and relationships, and its sheets are parsed with a strict
// XML decoder, one row at a time.
package exporttest

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Cell is one cell of a sheet.
type Cell struct {
	Value  string
	Number bool // a numeric cell (no t attribute, or t="n")
	Bold   bool // style 1, the header's
}

const (
	worksheetType = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
	workbookType  = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	relOffice     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	relWorksheet  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
)

// ReadXLSX opens the workbook in r (size bytes) and calls row for every row
// of every sheet, in workbook order. It fails on anything a spreadsheet
// application would refuse: a missing part or content type, a dangling
// relationship, malformed XML, a cell reference out of place.
func ReadXLSX(r io.ReaderAt, size int64, row func(sheet string, cells []Cell) error) error {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return err
	}
	parts := map[string]*zip.File{}
	for _, f := range z.File {
		parts[f.Name] = f
	}
	decode := func(name string, v any) error {
		f, ok := parts[name]
		if !ok {
			return fmt.Errorf("missing part %s", name)
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		if err := xml.NewDecoder(rc).Decode(v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}

	var types struct {
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if err := decode("[Content_Types].xml", &types); err != nil {
		return err
	}
	contentType := map[string]string{}
	for _, o := range types.Overrides {
		contentType[strings.TrimPrefix(o.PartName, "/")] = o.ContentType
	}

	type rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	var root rels
	if err := decode("_rels/.rels", &root); err != nil {
		return err
	}
	workbookPart := ""
	for _, rel := range root.Rels {
		if rel.Type == relOffice {
			workbookPart = rel.Target
		}
	}
	if contentType[workbookPart] != workbookType {
		return fmt.Errorf("workbook part %q has content type %q", workbookPart, contentType[workbookPart])
	}
	var workbook struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decode(workbookPart, &workbook); err != nil {
		return err
	}
	dir := path.Dir(workbookPart)
	var workbookRels rels
	if err := decode(path.Join(dir, "_rels", path.Base(workbookPart)+".rels"), &workbookRels); err != nil {
		return err
	}
	target := map[string]string{}
	for _, rel := range workbookRels.Rels {
		if rel.Type == relWorksheet {
			target[rel.ID] = path.Join(dir, rel.Target)
		}
	}
	if len(workbook.Sheets) == 0 {
		return fmt.Errorf("the workbook has no sheets")
	}
	for _, s := range workbook.Sheets {
		part, ok := target[s.RID]
		if !ok {
			return fmt.Errorf("sheet %q: no worksheet relationship %q", s.Name, s.RID)
		}
		if contentType[part] != worksheetType {
			return fmt.Errorf("sheet %q: part %s has content type %q", s.Name, part, contentType[part])
		}
		f, ok := parts[part]
		if !ok {
			return fmt.Errorf("sheet %q: missing part %s", s.Name, part)
		}
		if err := readSheet(f, func(cells []Cell) error { return row(s.Name, cells) }); err != nil {
			return fmt.Errorf("sheet %q: %w", s.Name, err)
		}
	}
	return nil
}

// readSheet walks a sheet's tokens (the decoder is strict: any malformed
// XML fails), checking every row and cell reference.
func readSheet(f *zip.File, row func([]Cell) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var (
		n        int    // rows so far
		cells    []Cell // of the open row
		cellType string // t of the open cell
		ref      string // its reference
		text     strings.Builder
		inText   bool // inside <v> or <is><t>
		sawValue bool
	)
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name && a.Name.Space == "" {
				return a.Value
			}
		}
		return ""
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "row":
				n++
				if r := attr(e, "r"); r != strconv.Itoa(n) {
					return fmt.Errorf("row %d has r=%q", n, r)
				}
				cells = nil
			case "c":
				want := columnLetters(len(cells)) + strconv.Itoa(n)
				if ref = attr(e, "r"); ref != want {
					return fmt.Errorf("cell %s has r=%q", want, ref)
				}
				cellType = attr(e, "t")
				cells = append(cells, Cell{Bold: attr(e, "s") == "1"})
				sawValue = false
			case "v", "t":
				inText, sawValue = true, true
				text.Reset()
			}
		case xml.CharData:
			if inText {
				text.Write(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "v", "t":
				inText = false
			case "c":
				c := &cells[len(cells)-1]
				c.Value = text.String()
				switch cellType {
				case "inlineStr":
					if !sawValue {
						return fmt.Errorf("cell %s: inline string without <is><t>", ref)
					}
				case "", "n":
					if _, err := strconv.ParseFloat(c.Value, 64); err != nil {
						return fmt.Errorf("cell %s: %q is not a number", ref, c.Value)
					}
					c.Number = true
				default:
					return fmt.Errorf("cell %s: unexpected type %q", ref, cellType)
				}
				text.Reset()
			case "row":
				if err := row(cells); err != nil {
					return err
				}
			}
		}
	}
}

func columnLetters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
