package export

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/clout-dev/clout/chart/option"
	"github.com/clout-dev/clout/indicators"
	"github.com/clout-dev/clout/render"
)

// Layout of the decorations drawn into images, in CSS pixels. Texts are
// measured with the renderer's own measurement, so the heading, the legend
// and the note take exactly the lines they need and the plot starts below them.
const (
	margin        = 16
	titleTop      = 10
	titleGap      = 6  // between title and subtitle
	blockGap      = 10 // between heading, legend and note
	axisNameSpace = 34 // above a plot: its axis names
	panelGap      = 44 // between stacked plots: the upper one's labels, the lower one's axis names
	captionSize   = 11
	captionLine   = 18
	footerSpace   = 2*captionLine + 20 // the caption's two lines and a gap above them
	legendRowGap  = 8
	legendIcon    = 25 + 5 // ECharts' legend symbol and its gap to the text
	legendItemGap = 10
)

// textStyle is a text's font in the image: size, line height, bold.
type textStyle struct {
	size, line float64
	bold       bool
}

func (t textStyle) css() string {
	css := strconv.FormatFloat(t.size, 'f', -1, 64) + "px"
	if t.bold {
		return "bold " + css
	}
	return css
}

// measureFunc is the renderer's text width: text, CSS font → pixels.
type measureFunc func(text, css string) float64

func (e *Exporter) writeImage(ctx context.Context, w io.Writer, f Format, s Snapshot, img Image) error {
	opt, err := decorate(s, img.Size, e.r.TextWidth)
	if err != nil {
		return err
	}
	var out []byte
	if f == PNG {
		out, err = e.r.PNG(ctx, opt, img.Size, img.Scale, img.Theme)
	} else {
		out, err = e.r.SVG(ctx, opt, img.Size, img.Theme)
	}
	if err != nil {
		return err
	}
	_, err = io.Copy(w, bytes.NewReader(out))
	return err
}

// decorate returns s.Option laid out for an image of the given size: the title
// and subtitle wrapped to the width at the top, the legend (wrapped into rows)
// and the chart's note below them, the plots in the room left, and the
// provenance (sources, data version, date, permalink) as the caption at the
// bottom. Every block is measured, so none overlaps another.
func decorate(s Snapshot, size render.Size, measure measureFunc) (json.RawMessage, error) {
	opt, err := render.Sanitize(s.Option)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(opt, &m); err != nil {
		return nil, indicators.Errorf(indicators.EINVALID, "option: %v", err)
	}
	delete(m, "toolbox")  // its buttons mean nothing in a picture
	delete(m, "dataZoom") // nor does a zoom slider
	w, h := float64(size.Width), float64(size.Height)
	textWidth := w - 2*margin
	// Small images keep a short heading, so the chart keeps its room.
	titleStyle := textStyle{size: 18, line: 22, bold: true}
	subStyle := textStyle{size: 12, line: 16}
	maxTitle, maxSub := 2, 3
	switch {
	case h < 400:
		titleStyle = textStyle{size: 15, line: 19, bold: true}
		maxTitle, maxSub = 1, 1
	case h < 500 || w < 600:
		titleStyle = textStyle{size: 15, line: 19, bold: true}
		maxTitle, maxSub = 2, 2
	}
	title := wrap(s.Result.Title, titleStyle, textWidth, maxTitle, measure)
	subtitle := wrap(s.Result.Subtitle, subStyle, textWidth, maxSub, measure)
	m["title"] = map[string]any{
		"text": strings.Join(title, "\n"), "subtext": strings.Join(subtitle, "\n"),
		"left": margin, "top": titleTop, "itemGap": titleGap,
		"textStyle":    map[string]any{"fontSize": titleStyle.size, "fontWeight": "bold", "lineHeight": titleStyle.line},
		"subtextStyle": map[string]any{"fontSize": subStyle.size, "lineHeight": subStyle.line},
	}
	y := titleTop + float64(len(title))*titleStyle.line
	if len(subtitle) > 0 {
		y += titleGap + float64(len(subtitle))*subStyle.line
	}

	noteStyle := textStyle{size: 12, line: 16}
	// Room for the plots if the legend takes the rows it asks now and a note
	// one line.
	plotsTop := y + 2*blockGap + noteStyle.line + axisNameSpace
	if rows := legendRows(m, textWidth, measure); rows > 0 {
		plotsTop += float64(rows)*14 + float64(rows-1)*legendRowGap
	}
	if dropped := dropPanels(m, h-footerSpace-plotsTop); dropped != "" {
		addNote(m, "Not shown at this size: "+dropped)
	}
	if rows := legendRows(m, textWidth, measure); rows > 0 {
		y += blockGap
		eachObject(m["legend"], func(l map[string]any) {
			l["type"] = "plain"
			l["left"], l["top"], l["width"] = margin, y, textWidth
			l["itemGap"], l["itemHeight"] = legendItemGap, 12
			delete(l, "bottom")
			delete(l, "right")
		})
		y += float64(rows)*14 + float64(rows-1)*legendRowGap
	}

	var graphics []any
	for _, g := range asList(m["graphic"]) {
		gm, ok := g.(map[string]any)
		if !ok || gm["id"] != option.NoteID {
			graphics = append(graphics, g)
			continue
		}
		style, _ := gm["style"].(map[string]any)
		text, _ := style["text"].(string)
		lines := wrap(text, noteStyle, textWidth, 2, measure)
		y += blockGap
		style["text"] = strings.Join(lines, "\n")
		style["fontSize"], style["lineHeight"], style["fontFamily"] = noteStyle.size, noteStyle.line, render.FontFamily
		gm["left"], gm["top"] = margin, y
		delete(gm, "bottom")
		graphics = append(graphics, gm)
		y += float64(len(lines)) * noteStyle.line
	}

	sources, stamp := footerLines(s, s.Permalink)
	for _, line := range []struct {
		text   string
		bottom float64
	}{{sources, captionLine + 8}, {stamp, 8}} {
		if line.text == "" {
			continue
		}
		graphics = append(graphics, map[string]any{
			"type": "text", "left": margin, "bottom": line.bottom, "silent": true,
			"style": map[string]any{
				// Graphic elements do not inherit textStyle: name the embedded font,
				// or browsers showing the SVG pick their own sans-serif.
				"text": fit(line.text, textStyle{size: captionSize}, textWidth, measure), "fontSize": captionSize,
				"fill": "#6e7079", "fontFamily": render.FontFamily,
			},
		})
	}
	m["graphic"] = graphics

	top := math.Ceil(y + axisNameSpace)
	bottom := float64(footerSpace)
	layoutGrids(m, top, h-bottom)
	if m["grid"] == nil && m["xAxis"] != nil {
		m["grid"] = map[string]any{"top": top, "bottom": bottom, "left": margin, "right": 30, "containLabel": true}
	}
	eachObject(m["series"], func(sm map[string]any) {
		if sm["type"] == "map" {
			sm["top"], sm["bottom"] = top-axisNameSpace+blockGap, bottom
			sm["left"] = margin
		}
	})
	eachObject(m["visualMap"], func(v map[string]any) {
		room := h - bottom - (top - axisNameSpace + blockGap)
		v["top"] = top - axisNameSpace + blockGap
		v["itemHeight"] = math.Max(40, math.Min(number(v["itemHeight"]), room-50))
		delete(v, "bottom")
	})
	return json.Marshal(m)
}

// minPanel is the least height of a plot worth drawing.
const minPanel = 70

// dropPanels keeps only the first plot when the plots stacked would be too
// small to read in room pixels, and returns the names of the dropped ones'
// value axes ("" if none dropped).
func dropPanels(m map[string]any, room float64) string {
	grids := asList(m["grid"])
	n := float64(len(grids))
	if n < 2 || (room-panelGap*(n-1))/n >= minPanel {
		return ""
	}
	m["grid"] = grids[:1]
	var names []string
	keep := func(key string) []any {
		var out []any
		for _, ax := range asList(m[key]) {
			am, ok := ax.(map[string]any)
			if ok && number(am["gridIndex"]) > 0 {
				if name, ok := am["name"].(string); ok && am["type"] == "value" {
					names = append(names, name)
				}
				continue
			}
			out = append(out, ax)
		}
		return out
	}
	m["xAxis"], m["yAxis"] = keep("xAxis"), keep("yAxis")
	// The first plot's periods were written under the last one: it writes
	// them itself now.
	eachObject(m["xAxis"], func(ax map[string]any) {
		if l, ok := ax["axisLabel"].(map[string]any); ok && l["show"] == false {
			l["show"] = true
		}
	})
	gone := map[string]bool{}
	var series []any
	for _, s := range asList(m["series"]) {
		sm, ok := s.(map[string]any)
		if ok && (number(sm["xAxisIndex"]) > 0 || number(sm["yAxisIndex"]) > 0) {
			if name, ok := sm["name"].(string); ok {
				gone[name] = true
			}
			continue
		}
		series = append(series, s)
	}
	m["series"] = series
	eachObject(m["legend"], func(l map[string]any) {
		data, ok := l["data"].([]any)
		if !ok {
			return
		}
		var kept []any
		for _, d := range data {
			name, _ := d.(string)
			if dm, ok := d.(map[string]any); ok {
				name, _ = dm["name"].(string)
			}
			if !gone[name] {
				kept = append(kept, d)
			}
		}
		l["data"] = kept
		if len(kept) == 0 {
			l["show"] = false
		}
	})
	return strings.Join(names, "; ")
}

// addNote adds a line to the chart's note, making one if it has none.
func addNote(m map[string]any, text string) {
	for _, g := range asList(m["graphic"]) {
		if gm, ok := g.(map[string]any); ok && gm["id"] == option.NoteID {
			style, _ := gm["style"].(map[string]any)
			if old, _ := style["text"].(string); old != "" {
				text = old + ". " + text
			}
			style["text"] = text
			return
		}
	}
	m["graphic"] = append(asList(m["graphic"]), map[string]any{
		"type": "text", "id": option.NoteID, "silent": true,
		"style": map[string]any{"text": text, "fill": "#6e7079"},
	})
}

// layoutGrids stacks the option's plots from top to bottom in their order, in
// proportion to the heights they ask for ("42%"; equal if none), with room
// between them for axis labels and names.
func layoutGrids(m map[string]any, top, bottom float64) {
	var grids []map[string]any
	eachObject(m["grid"], func(g map[string]any) { grids = append(grids, g) })
	if len(grids) == 0 {
		return
	}
	weights := make([]float64, len(grids))
	total := 0.0
	for i, g := range grids {
		weights[i] = 1
		if s, ok := g["height"].(string); ok && strings.HasSuffix(s, "%") {
			if v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64); err == nil && v > 0 {
				weights[i] = v
			}
		}
		total += weights[i]
	}
	room := math.Max(bottom-top-panelGap*float64(len(grids)-1), 20*float64(len(grids)))
	y := top
	for i, g := range grids {
		hgt := math.Floor(room * weights[i] / total)
		g["top"], g["height"] = y, hgt
		delete(g, "bottom")
		y += hgt + panelGap
	}
}

// legendRows is how many rows the option's legend takes in width (0: no
// legend), as ECharts wraps a plain legend.
func legendRows(m map[string]any, width float64, measure measureFunc) int {
	l, ok := m["legend"].(map[string]any)
	if !ok {
		if ls := asList(m["legend"]); len(ls) > 0 {
			l, _ = ls[0].(map[string]any)
		}
	}
	if l == nil || l["show"] == false {
		return 0
	}
	var names []string
	if data, ok := l["data"].([]any); ok {
		for _, d := range data {
			switch t := d.(type) {
			case string:
				names = append(names, t)
			case map[string]any:
				n, _ := t["name"].(string)
				names = append(names, n)
			}
		}
	} else {
		eachObject(m["series"], func(s map[string]any) {
			if n, ok := s["name"].(string); ok {
				names = append(names, n)
			}
		})
	}
	if len(names) == 0 {
		return 0
	}
	rows, x := 1, 0.0
	for _, n := range names {
		iw := legendIcon + measure(n, "12px")
		if x > 0 && x+iw > width {
			rows++
			x = 0
		}
		x += iw + legendItemGap
	}
	return rows
}

// wrap breaks text into lines no wider than width, at spaces (a word longer
// than a line is cut), at most maxLines, the last one ending in "…" if the
// text goes on.
func wrap(text string, st textStyle, width float64, maxLines int, measure measureFunc) []string {
	words := strings.Fields(text)
	var lines []string
	cur := ""
	for i := 0; i < len(words); i++ {
		cand := words[i]
		if cur != "" {
			cand = cur + " " + words[i]
		}
		if measure(cand, st.css()) <= width {
			cur = cand
			continue
		}
		if cur == "" { // one word wider than the line
			lines = append(lines, fit(words[i], st, width, measure))
			continue
		}
		lines = append(lines, cur)
		cur = ""
		i--
		if len(lines) == maxLines {
			break
		}
	}
	if cur != "" && len(lines) < maxLines {
		lines = append(lines, cur)
		cur = ""
	}
	if len(lines) > maxLines {
		lines = lines[:maxLines]
	}
	if n := len(lines); n > 0 && (cur != "" || wordsIn(lines) < len(words)) {
		lines[n-1] = fit(lines[n-1]+" …", st, width, measure)
	}
	return lines
}

func wordsIn(lines []string) int {
	n := 0
	for _, l := range lines {
		n += len(strings.Fields(l))
	}
	return n
}

// fit cuts text to width, ending it with "…" when cut.
func fit(text string, st textStyle, width float64, measure measureFunc) string {
	if measure(text, st.css()) <= width {
		return text
	}
	r := []rune(strings.TrimSuffix(text, " …"))
	for len(r) > 0 {
		r = r[:len(r)-1]
		cand := strings.TrimRight(string(r), " ") + "…"
		if measure(cand, st.css()) <= width {
			return cand
		}
	}
	return "…"
}

// asList returns an ECharts component option as a list (it may be one object).
func asList(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

func eachObject(v any, fn func(map[string]any)) {
	for _, e := range asList(v) {
		if o, ok := e.(map[string]any); ok {
			fn(o)
		}
	}
}

// number returns a pixel value of an ECharts position (a number or a numeric
// string such as "40"), 0 for percentages and names.
func number(v any) float64 {
	switch t := v.(type) {
	case float64:
		return t
	case string:
		f, err := strconv.ParseFloat(strings.TrimSuffix(t, "px"), 64)
		if err == nil {
			return f
		}
	}
	return 0
}
