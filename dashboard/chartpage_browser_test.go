package dashboard

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowser_chartPage drives a chart page as a reader does: searching the
// entity picker, choosing and removing entities, switching tabs, moving and
// playing the timeline, copying the share and cite texts. Every change must
// redraw the page in place: a marker set on window survives (no navigation)
// and the URL follows with history.replaceState.
func TestBrowser_chartPage(t *testing.T) {
	chromiumPath(t)
	store := MustSeededStore(t)
	srv := httptest.NewServer(MustServer(t, store, testConfig()).Handler())
	t.Cleanup(srv.Close)
	ctx, w := newBrowser(t)

	eval := func(t *testing.T, expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	open := func(t *testing.T, path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatalf("navigate %s: %v", path, err)
		}
		mustCharts(t, ctx)
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.cloutMarker = 'same page'`)); err != nil {
			t.Fatal(err)
		}
	}
	// samePage fails the test when the page was reloaded since open.
	samePage := func(t *testing.T) {
		t.Helper()
		if got := eval(t, `String(window.cloutMarker)`); got != "same page" {
			t.Fatalf("the page navigated (window marker %q): want an in-place update", got)
		}
	}
	seriesCount := func(t *testing.T) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`echarts.getInstanceByDom(document.querySelector('.chart')).getOption().series.length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	wait := func(t *testing.T, what, expr string) string {
		t.Helper()
		v, err := waitFor(ctx, `(() => { const v = (`+expr+`); return v ? String(v) : null; })()`)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}

	t.Run("the picker is searchable and updates the chart in place", func(t *testing.T) {
		open(t, "/charts/gas-exports?destinations=DEU,ITA")
		before := seriesCount(t)
		if err := chromedp.Do(ctx, chromedp.Click("#p-destinations-search"), chromedp.SendKeys("#p-destinations-search", "tur")); err != nil {
			t.Fatal(err)
		}
		offered := wait(t, "typing tur offers Turkey", `(() => {
			const lb = document.getElementById('lb-destinations');
			const a = document.getElementById(document.getElementById('p-destinations-search').getAttribute('aria-activedescendant') || '-');
			return !lb.hidden && a && a.textContent.includes('Turkey') ? a.textContent : null;
		})()`)
		if expanded := eval(t, `document.getElementById('p-destinations-search').getAttribute('aria-expanded')`); expanded != "true" {
			t.Errorf("the combobox says aria-expanded=%s while its list shows %q", expanded, offered)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		wait(t, "Enter adds Turkey as a chip", `Array.from(document.querySelectorAll('.chip')).some(c => c.textContent.includes('Turkey')) || null`)
		loc := wait(t, "the URL follows the choice", `/destinations=DEU(%2C|,)ITA(%2C|,)TUR/.test(location.search) ? location.href : null`)
		samePage(t)
		wait(t, "the chart shows the new destination", `echarts.getInstanceByDom(document.querySelector('.chart')).getOption().series.length > `+itoa(int64(before))+` || null`)
		if sub := eval(t, `document.querySelector('[data-bind="subtitle"]').textContent`); !strings.Contains(sub, "Turkey") {
			t.Errorf("the subtitle was not redrawn: %q (%s)", sub, loc)
		}

		// Backspace in the empty search removes the last chip.
		if err := chromedp.Do(ctx, chromedp.Focus("#p-destinations-search"), chromedp.KeyEvent(kb.Backspace)); err != nil {
			t.Fatal(err)
		}
		wait(t, "Backspace removes Turkey", `!/TUR/.test(location.search) && !Array.from(document.querySelectorAll('.chip')).some(c => c.textContent.includes('Turkey')) || null`)
		samePage(t)

		// Escape closes the list; the search ignores diacritics.
		if err := chromedp.Do(ctx, chromedp.SendKeys("#p-destinations-search", "türk")); err != nil {
			t.Fatal(err)
		}
		wait(t, "türk offers Turkey", `(document.querySelector('#lb-destinations .lb-option.active') || {}).textContent?.includes('Turkey') || null`)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		if hidden := eval(t, `String(document.getElementById('lb-destinations').hidden)`); hidden != "true" {
			t.Errorf("Escape left the list open")
		}
		assertClean(t, w, "picker")
	})

	t.Run("aggregates are offered only when asked for", func(t *testing.T) {
		open(t, "/charts/trade-share")
		if err := chromedp.Do(ctx, chromedp.Click("#p-partners-search"), chromedp.SendKeys("#p-partners-search", "world")); err != nil {
			t.Fatal(err)
		}
		chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond))
		if n := eval(t, `String(document.querySelectorAll('#lb-partners [role=option]').length)`); n != "0" {
			t.Errorf("searching world offers %s choices with aggregates hidden", n)
		}
		if err := chromedp.Do(ctx, chromedp.Click("#p-partners-aggregates")); err != nil {
			t.Fatal(err)
		}
		wait(t, "World is offered once aggregates are shown", `Array.from(document.querySelectorAll('#lb-partners [role=option]')).some(o => o.textContent.includes('World')) || null`)
		assertClean(t, w, "aggregates")
	})

	t.Run("tabs switch between chart, table and map", func(t *testing.T) {
		open(t, "/charts/trade-share")
		if err := chromedp.Do(ctx, chromedp.Click(`[role=tab][data-tab=table]`)); err != nil {
			t.Fatal(err)
		}
		state := eval(t, `[document.querySelector('[data-panel=chart]').hidden, document.querySelector('[data-panel=table]').hidden,
			document.querySelector('[role=tab][data-tab=table]').getAttribute('aria-selected')].join()`)
		if state != "true,false,true" {
			t.Errorf("after choosing Table: chart hidden, table hidden, table selected = %s", state)
		}
		// The table's numbers are written in the page's style, units in the headers.
		cell := eval(t, `Array.from(document.querySelectorAll('[data-panel=table] td.num')).map(td => td.textContent).find(s => s.length > 6) || ''`)
		if !strings.Contains(cell, ",") {
			t.Errorf("a large number in the table reads %q: want grouped thousands", cell)
		}
		if head := eval(t, `document.querySelector('[data-panel=table] thead').textContent`); !strings.Contains(head, "(%)") {
			t.Errorf("table headers %q carry no unit", head)
		}
		// Arrow keys move between tabs; the map draws the same partners.
		if err := chromedp.Do(ctx, chromedp.Focus(`[role=tab][data-tab=table]`), chromedp.KeyEvent(kb.ArrowRight)); err != nil {
			t.Fatal(err)
		}
		wait(t, "the map tab draws the map", `document.querySelector('.map-chart').getAttribute('data-drawn') === 'true' || null`)
		if sel := eval(t, `document.activeElement.getAttribute('data-tab')`); sel != "map" {
			t.Errorf("ArrowRight moved the focus to %q, want the map tab", sel)
		}
		if err := chromedp.Do(ctx, chromedp.Click(`[role=tab][data-tab=chart]`)); err != nil {
			t.Fatal(err)
		}
		samePage(t)
		// A chart without a country dimension has no map tab.
		open(t, "/charts/gas-exports")
		if hidden := eval(t, `String(document.querySelector('[role=tab][data-tab=map]').hidden)`); hidden != "true" {
			t.Errorf("gas exports offers a map tab")
		}
		assertClean(t, w, "tabs")
	})

	t.Run("the timeline moves the year with the keyboard and plays", func(t *testing.T) {
		open(t, "/charts/trade-share")
		if err := chromedp.Do(ctx, chromedp.Focus("#tl-year-trade-share"), chromedp.KeyEvent(kb.Home)); err != nil {
			t.Fatal(err)
		}
		first := eval(t, `document.querySelector('#tl-year-trade-share + output').textContent`)
		wait(t, "Home moves to the first year", `location.search.includes('year=`+first+`') && document.querySelector('[data-bind=subtitle]').textContent.includes('`+first+`') || null`)
		samePage(t)
		if err := chromedp.Do(ctx, chromedp.Click(".timeline .play")); err != nil {
			t.Fatal(err)
		}
		wait(t, "play advances the year", `!location.search.includes('year=`+first+`') || null`)
		if pressed := eval(t, `document.querySelector('.timeline .play').getAttribute('aria-pressed')`); pressed != "true" {
			t.Errorf("playing, the button says aria-pressed=%s", pressed)
		}
		if err := chromedp.Do(ctx, chromedp.Click(".timeline .play")); err != nil {
			t.Fatal(err)
		}
		samePage(t)
		assertClean(t, w, "timeline")
	})

	t.Run("share and cite give text to copy", func(t *testing.T) {
		open(t, "/charts/integration-gain")
		if err := chromedp.Do(ctx, chromedp.Click(`details[data-action=share] summary`)); err != nil {
			t.Fatal(err)
		}
		link := eval(t, `document.querySelector('[data-bind=share-url]').value`)
		if !strings.HasPrefix(link, srv.URL+"/charts/integration-gain") || !strings.Contains(link, "v=") {
			t.Errorf("share link %q: want this chart's absolute URL pinned with v=", link)
		}
		code := eval(t, `document.querySelector('[data-bind=embed-code]').value`)
		if !strings.HasPrefix(code, "<iframe") || !strings.Contains(code, srv.URL+"/charts/integration-gain/embed") {
			t.Errorf("embed code %q", code)
		}
		if err := chromedp.Do(ctx, chromedp.Click(`details[data-action=share] button.copy`)); err != nil {
			t.Fatal(err)
		}
		wait(t, "Copy says what it did", `document.querySelector('.copy-status').textContent || null`)
		if err := chromedp.Do(ctx, chromedp.Click(`details[data-action=cite] summary`)); err != nil {
			t.Fatal(err)
		}
		cite := eval(t, `document.querySelector('[data-bind=cite]').value`)
		today := time.Now().UTC().Format("2 January 2006")
		if sub, ok := containsAll(cite, "Clout", "data version", "Retrieved "+today, link); !ok {
			t.Errorf("citation %q lacks %q", cite, sub)
		}
		// After a change, the panels name the new view.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('p-measure'); s.value = 'population'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`)); err != nil {
			t.Fatal(err)
		}
		wait(t, "the citation follows the change", `document.querySelector('[data-bind=cite]').value.includes('measure=population') || null`)
		samePage(t)
		assertClean(t, w, "share and cite")
	})

	t.Run("tooltips write numbers as the option's cloutFormat says", func(t *testing.T) {
		open(t, "/charts/integration-gain")
		got := eval(t, `(() => {
			const el = document.querySelector('.chart');
			const f = echarts.getInstanceByDom(el).getOption().tooltip[0].valueFormatter;
			return JSON.stringify([f(1234567.891), f(null), JSON.parse(document.getElementById(el.dataset.option).textContent).cloutFormat || null]);
		})()`)
		var parts []json.RawMessage
		if err := json.Unmarshal([]byte(got), &parts); err != nil || len(parts) != 3 {
			t.Fatalf("read %s: %v", got, err)
		}
		var value, missing string
		var spec struct {
			Default struct {
				Prefix, Suffix string
				Digits         *int
			}
		}
		json.Unmarshal(parts[0], &value)
		json.Unmarshal(parts[1], &missing)
		json.Unmarshal(parts[2], &spec)
		digits := 2
		if spec.Default.Digits != nil {
			digits = *spec.Default.Digits
		}
		if want := spec.Default.Prefix + groupedDecimal(1234567.891, digits) + spec.Default.Suffix; value != want {
			t.Errorf("tooltip writes 1234567.891 as %q, want %q (cloutFormat %s)", value, want, parts[2])
		}
		if missing != "no data" {
			t.Errorf("tooltip writes a missing value as %q", missing)
		}
	})

	t.Run("a map control shows only under its metric", func(t *testing.T) {
		open(t, "/charts/map?metric=bloc")
		visible := `(() => [document.querySelector('[data-picker=bloc]').hidden, document.querySelector('[data-picker=partners]').hidden].join())()`
		if got := eval(t, visible); got != "false,true" {
			t.Errorf("metric=bloc: bloc hidden, partners hidden = %s", got)
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('p-metric'); s.value = 'trade-share'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`)); err != nil {
			t.Fatal(err)
		}
		wait(t, "the URL follows the metric", `location.search.includes('metric=trade-share')`)
		if got := eval(t, visible); got != "true,false" {
			t.Errorf("metric=trade-share: bloc hidden, partners hidden = %s", got)
		}
		samePage(t)
		assertClean(t, w, "map controls")
	})

	t.Run("an API error shows inline and keeps the chart", func(t *testing.T) {
		open(t, "/charts/trade-share")
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
			const s = document.getElementById('p-year');
			s.add(new Option('1800', '1800'));
			s.value = '1800';
			s.dispatchEvent(new Event('change', {bubbles: true}));
		})()`)); err != nil {
			t.Fatal(err)
		}
		msg := wait(t, "the error is shown", `document.querySelector('[role=alert][data-bind=error]').textContent || null`)
		if !strings.Contains(msg, "1800") {
			t.Errorf("error %q does not name the year", msg)
		}
		if strings.Contains(eval(t, `location.search`), "1800") {
			t.Errorf("the URL took the failed parameters")
		}
		samePage(t)
		// Browsers log the failed fetch's status; that is the answer, not a fault.
		w.take()
	})
}

// groupedDecimal writes x as Intl.NumberFormat("en", {maximumFractionDigits:
// digits}) does: thousands grouped with commas, trailing zeros dropped.
func groupedDecimal(x float64, digits int) string {
	s := strconv.FormatFloat(x, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
