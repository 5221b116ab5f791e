package indicators

import "context"

// ObservationReader is the part of a Store that charts read from.
type ObservationReader interface {
	Observations(ctx context.Context, q Query) ([]Observation, error)
	DataVersion(ctx context.Context) (int64, error)
}

// ComputeChart reads what chart c needs for p from r (as of data version asOf, 0 for
// the current data) and computes it. The Result carries the data version it shows.
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
	obs, err := r.Observations(ctx, q)
	if err != nil {
		return nil, err
	}
	res, err := c.Compute(p, obs)
	if err != nil {
		return nil, err
	}
	res.DataVersion = version
	return res, nil
}
