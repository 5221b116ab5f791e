package importer

import (
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// gzipMagic starts a gzip stream (.gz, .csvy.gz).
var gzipMagic = []byte{0x1f, 0x8b}

// dataExts are the members of a zip archive that may hold a table; anything
// else (readme, pdf) is never read.
var dataExts = map[string]bool{".csv": true, ".csvy": true, ".tsv": true, ".xlsx": true}

// dataMembers lists the files of a zip archive that may be its data, as the
// World Bank's bulk download holds them: API_<code>_DS2_*.csv beside two
// Metadata_*.csv files, which describe countries and the indicator and are
// skipped. When several remain, the API_ file is the data.
func dataMembers(zr *zip.Reader) (data []*zip.File, skipped []string) {
	var api []*zip.File
	for _, f := range zr.File {
		name := path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
		lower := strings.ToLower(name)
		switch {
		case f.FileInfo().IsDir():
			continue
		case strings.HasPrefix(lower, "metadata_") || !dataExts[path.Ext(lower)] || strings.HasPrefix(name, "."):
			skipped = append(skipped, name)
			continue
		}
		data = append(data, f)
		if strings.HasPrefix(lower, "api_") {
			api = append(api, f)
		}
	}
	if len(data) > 1 && len(api) == 1 {
		for _, f := range data {
			if f != api[0] {
				skipped = append(skipped, path.Base(f.Name))
			}
		}
		data = api
	}
	sort.Strings(skipped)
	return data, skipped
}

// unpack returns the file inside an archive (zip or gzip) and notes its name in
// the report. It is read into memory (an xlsx inside needs random access); the
// unzipped-size limit applies to what is read out of it, however small the
// archive, so a bomb is refused after MaxUnzipped bytes.
func (im *Importer) unpack(req Request, file indicators.FileContent, kind fileKind, rep *indicators.ImportReport) ([]byte, error) {
	var rc io.ReadCloser
	switch kind {
	case kindZip:
		zr, err := zip.NewReader(file, file.Size())
		if err != nil {
			return nil, indicators.Errorf(indicators.EINVALID, "%s is not a readable zip archive (%v)", displayName(req.FileName), err)
		}
		members, skipped := dataMembers(zr)
		if err := oneMember(req.FileName, members); err != nil {
			return nil, err
		}
		f := members[0]
		if f.UncompressedSize64 > uint64(im.opts.MaxUnzipped) {
			return nil, im.unzippedTooLarge(req.FileName)
		}
		if rc, err = f.Open(); err != nil {
			return nil, indicators.Errorf(indicators.EINVALID, "%s: %s cannot be read (%v)", displayName(req.FileName), f.Name, err)
		}
		rep.Member = path.Base(f.Name)
		if len(skipped) > 0 {
			rep.Warnings = append(rep.Warnings, indicators.ImportProblem{File: req.FileName,
				Message: fmt.Sprintf("read %s from the zip archive; skipped %s", rep.Member, strings.Join(skipped, ", "))})
		}
	case kindGzip:
		zr, err := gzip.NewReader(io.NewSectionReader(file, 0, file.Size()))
		if err != nil {
			return nil, indicators.Errorf(indicators.EINVALID, "%s is not a readable gzip file (%v)", displayName(req.FileName), err)
		}
		rc = zr
		rep.Member = strings.TrimSuffix(path.Base(strings.ReplaceAll(req.FileName, "\\", "/")), ".gz")
		if zr.Name != "" {
			rep.Member = path.Base(zr.Name)
		}
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, im.opts.MaxUnzipped+1))
	if err != nil {
		return nil, indicators.Errorf(indicators.EINVALID, "%s: %s cannot be unpacked (%v)", displayName(req.FileName), rep.Member, err)
	}
	if int64(len(data)) > im.opts.MaxUnzipped {
		return nil, im.unzippedTooLarge(req.FileName)
	}
	return data, nil
}

// oneMember checks that a zip archive holds exactly one data file.
func oneMember(fileName string, members []*zip.File) error {
	switch len(members) {
	case 1:
		return nil
	case 0:
		return indicators.Errorf(indicators.EUNSUPPORTED, "%s is a zip archive without a csv or xlsx file", displayName(fileName))
	}
	names := make([]string, len(members))
	for i, f := range members {
		names[i] = path.Base(f.Name)
	}
	return indicators.Errorf(indicators.EUNSUPPORTED, "%s holds %d data files (%s): import them one at a time",
		displayName(fileName), len(members), strings.Join(names, ", "))
}

func (im *Importer) unzippedTooLarge(fileName string) error {
	return indicators.Errorf(indicators.ETOOLARGE, "%s unpacks to more than the %s limit", displayName(fileName), humanBytes(im.opts.MaxUnzipped))
}
