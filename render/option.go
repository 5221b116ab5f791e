package render

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/clout-dev/clout/indicators"
)

// funcMarker is go-echarts' marker for "this string is JavaScript code".
const funcMarker = "__f__"

// Sanitize returns option with every string (keys included) freed of go-echarts'
// "__f__" function marker, so data can never become code in a renderer that honours
// it, and with "image://" symbol URLs emptied, so an export never loads anything.
// Numbers keep their exact text.
func Sanitize(option json.RawMessage) (json.RawMessage, error) {
	v, err := decodeOption(option)
	if err != nil {
		return nil, err
	}
	return encodeOption(v)
}

func decodeOption(option json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(option))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, indicators.Errorf(indicators.EINVALID, "option: not JSON: %v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, indicators.Errorf(indicators.EINVALID, "option: not a JSON object")
	}
	return neutralise(v), nil
}

func encodeOption(v any) (json.RawMessage, error) {
	// json.Marshal escapes <, > and & as \u003c etc., harmless to JSON.parse.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, indicators.Errorf(indicators.EINVALID, "option: %v", err)
	}
	return b, nil
}

// neutralise walks a decoded JSON value and strips the function marker from strings.
func neutralise(v any) any {
	switch t := v.(type) {
	case string:
		return stripMarker(t)
	case []any:
		for i := range t {
			t[i] = neutralise(t[i])
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[stripMarker(k)] = neutralise(e)
		}
		return out
	}
	return v
}

func stripMarker(s string) string {
	// ECharts draws "image://URL" symbols by loading URL: an export would fetch
	// (or make its reader fetch) whatever the data names.
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "image://") {
		return ""
	}
	for strings.Contains(s, funcMarker) {
		s = strings.ReplaceAll(s, funcMarker, "")
	}
	return s
}

// prepareOption sanitises the option and sets what server-side rendering needs: the
// embedded font family, a solid background and no animation.
func prepareOption(option json.RawMessage, theme Theme) (json.RawMessage, error) {
	v, err := decodeOption(option)
	if err != nil {
		return nil, err
	}
	m := v.(map[string]any)
	ts, _ := m["textStyle"].(map[string]any)
	if ts == nil {
		ts = map[string]any{}
	}
	ts["fontFamily"] = FontFamily
	m["textStyle"] = ts
	if _, ok := m["backgroundColor"]; !ok || theme == Dark {
		m["backgroundColor"] = theme.Background()
	}
	m["animation"] = false
	return encodeOption(m)
}
