package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/clout-dev/clout/assets"
)

//go:embed static/*
var staticFS embed.FS

// vendorServed are the embedded vendor files the browser loads (the fonts and
// resvg's wasm are for the in-process renderer only).
var vendorServed = []string{assets.EChartsJS, assets.TopoJSONClient, assets.WorldAtlas}

// asset is one static file served under a content-hashed name.
type asset struct {
	name        string // logical name: "echarts.min.js"
	hashed      string // served name: "echarts.min.3f2a9c1b.js"
	contentType string
	body        []byte
	etag        string

	gzipOnce sync.Once
	gzipped  []byte // nil when compression does not pay
}

// assetTable maps logical and hashed names to assets.
type assetTable struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

// newAssetTable hashes the embedded vendor and static files.
func newAssetTable() (*assetTable, error) {
	t := &assetTable{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	for _, name := range vendorServed {
		b, err := assets.Vendor.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("%s (run `make assets`): %w", name, err)
		}
		t.add(path.Base(name), b)
	}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		t.add(path.Base(p), b)
		return nil
	})
	return t, err
}

func (t *assetTable) add(name string, body []byte) {
	sum := sha256.Sum256(body)
	h := hex.EncodeToString(sum[:])[:8]
	ext := path.Ext(name)
	a := &asset{
		name:        name,
		hashed:      strings.TrimSuffix(name, ext) + "." + h + ext,
		contentType: contentTypeOf(ext),
		body:        body,
		etag:        `"` + h + `"`,
	}
	t.byName[name] = a
	t.byHashed[a.hashed] = a
}

func contentTypeOf(ext string) string {
	switch ext {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// URL returns the content-hashed URL of a logical asset name; templates call it as
// {{asset "echarts.min.js"}}. An unknown name is a bug and fails template
// execution.
func (t *assetTable) URL(name string) (string, error) {
	a, ok := t.byName[name]
	if !ok {
		return "", fmt.Errorf("unknown asset %q", name)
	}
	return "/static/" + a.hashed, nil
}

// gz returns the gzipped body, computed on first use (not at start, which must
// stay fast).
func (a *asset) gz() []byte {
	a.gzipOnce.Do(func() {
		if a.contentType == "application/octet-stream" || len(a.body) < 1024 {
			return
		}
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(a.body)
		w.Close()
		if buf.Len() < len(a.body)*9/10 {
			a.gzipped = buf.Bytes()
		}
	})
	return a.gzipped
}

func (s *Server) registerStaticRoutes(e *echo.Echo) {
	e.GET("/static/:file", s.handleStatic)
	e.HEAD("/static/:file", s.handleStatic)
	e.GET("/favicon.ico", func(c echo.Context) error {
		u, err := s.assets.URL("favicon.svg")
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusMovedPermanently, u)
	})
}

// handleStatic serves a hashed asset; its name changes with its content, so it may
// be cached forever.
func (s *Server) handleStatic(c echo.Context) error {
	a, ok := s.assets.byHashed[c.Param("file")]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	return writeFixed(c, "public, max-age=31536000, immutable", a.etag, a.contentType, a.body, a.gz)
}

// writeFixed answers with a body that changes only with a new build: cached
// as cacheControl says, revalidated by etag (304), and gzipped for clients
// that take it when gzipped returns a copy (nil: compression does not pay).
func writeFixed(c echo.Context, cacheControl, etag, contentType string, body []byte, gzipped func() []byte) error {
	h := c.Response().Header()
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		if z := gzipped(); z != nil {
			h.Set("Content-Encoding", "gzip")
			body = z
		}
	}
	return c.Blob(http.StatusOK, contentType, body)
}
