package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clout-dev/clout/data/sqlite"
	"github.com/clout-dev/clout/indicators"
)

func bigTidy(n int) []byte {
	lines := []string{"indicator,country,period,value"}
	for i := range n {
		lines = append(lines, fmt.Sprintf("X.%d,ARM,%d-%02d,%d", i/1200, 1900+i%1200/12, i%12+1, i))
	}
	return csvText(lines...)
}

func TestCancelledImportChangesNothing(t *testing.T) {
	st := MustOpenStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var clock atomic.Int64
	im := New(st, Options{
		Now:         func() time.Time { return time.Unix(clock.Add(1), 0) },
		ProgressGap: time.Nanosecond,
		Progress: func(p Progress) {
			if p.Rows > 5000 {
				cancel()
			}
		},
	})
	_, err := im.Import(ctx, Request{FileName: "big.csv", Data: bigTidy(50_000)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if v, _ := st.DataVersion(context.Background()); v != 0 {
		t.Errorf("data version %d after a cancelled import", v)
	}
}

// diskFullStore is the real store whose writes fail after the first batch.
type diskFullStore struct{ *sqlite.DB }

var errDiskFull = errors.New("disk full")

func (s diskFullStore) SaveVersion(ctx context.Context, v indicators.NewVersion, src indicators.ObservationSource) (indicators.Version, error) {
	return s.DB.SaveVersion(ctx, v, func(yield func([]indicators.Observation) error) error {
		return src(func(b []indicators.Observation) error {
			if err := yield(b); err != nil {
				return err
			}
			return errDiskFull
		})
	})
}

func TestStoreFailureIsReported(t *testing.T) {
	db := MustOpenStore(t)
	_, err := New(diskFullStore{db}, Options{}).Import(context.Background(), Request{FileName: "big.csv", Data: bigTidy(20_000)})
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), "big.csv") {
		t.Fatalf("err = %v, want the store's error naming the file", err)
	}
	if v, _ := db.DataVersion(context.Background()); v != 0 {
		t.Errorf("data version %d after a failed save", v)
	}
}
