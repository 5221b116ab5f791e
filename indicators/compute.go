package indicators

import "context"

// ObservationReader is the part of a Store that charts read from.
type ObservationReader interface {
	Observations(ctx context.Context, q Query) ([]Observation, error)
	DataVersion(ctx context.Context) (int64, error)
}

// VintageComparer is a chart that says where the vintages of its figures
// disagree (the integration gain: each ratio per vintage). ComputeChart reads
// every vintage for it once and hands it them all.
type VintageComparer interface {
	CompareVintages(p Params, all []Observation) ([]VintageDiff, error)
}

// ComputeChart reads what chart c needs for p from r (as of data version asOf, 0 for
// the current data) and computes it. The Result carries the data version it shows,
// the vintages on offer and, for a VintageComparer, where vintages disagree
// (those of the year shown also in words among the coverage notes).
// This is the one path from a chart id and parameters to a Result that the
// dashboard, the CLI, the exports and the jobs share.
func ComputeChart(ctx context.Context, r ObservationReader, c Chart, p Params, asOf int64) (*Result, error) {
	q, err := c.Query(p)
	if err != nil {
		return nil, err
	}
	version := asOf
	if version == 0 {
		if version, err = r.DataVersion(ctx); err != nil {
			return nil, err
		}
	}
	q.AsOf = version
	vc, compares := c.(VintageComparer)
	chosen := q.Vintage
	if compares {
		q.Vintage = AllVintages // one read; the vintage asked is selected below
	}
	obs, err := r.Observations(ctx, q)
	if err != nil {
		return nil, err
	}
	all := obs
	if compares {
		obs = SelectVintage(all, chosen)
	}
	res, err := c.Compute(p, obs)
	if err != nil {
		return nil, err
	}
	res.DataVersion = version
	res.Citations = orEmpty(Cite(res.Sources))
	if compares {
		if res.VintageDiffs, err = vc.CompareVintages(p, all); err != nil {
			return nil, err
		}
		res.VintagesAvailable = orEmpty(VintagesOf(all))
		for _, d := range res.VintageDiffs {
			if d.Period == res.Params["year"] {
				res.Coverage = append(res.Coverage, vintageDiffWords(d))
			}
		}
	}
	return res, nil
}
