package claims

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/clout-dev/clout/indicators"
)

// WebhookJob names the job runs that record a claim's webhook deliveries.
func WebhookJob(claim string) string { return "claim-webhook/" + claim }

// WebhookPayload is the JSON body posted to a claim's webhook when verdicts
// change.
type WebhookPayload struct {
	Claim       string                    `json:"claim"`
	Text        string                    `json:"text"`
	DataVersion int64                     `json:"data_version"`
	Changes     []indicators.ClaimChange  `json:"changes"`
	Current     indicators.CurrentVerdict `json:"current"`
	Summary     string                    `json:"summary"`
	Link        string                    `json:"link"`
}

// notify posts the changes to the claim's webhook, if it has one, in the
// background; the delivery is recorded as a run of WebhookJob.
func (s *Service) notify(ev Evaluation, changes []indicators.ClaimChange) {
	url := s.cfg.Webhooks[ev.Claim.ID]
	if url == "" {
		return
	}
	body, err := json.Marshal(WebhookPayload{Claim: ev.Claim.ID, Text: ev.Claim.Text, DataVersion: ev.DataVersion,
		Changes: changes, Current: ev.Current, Summary: ev.Summary, Link: s.charts.Absolute(Path(ev.Claim.ID))})
	if err != nil {
		s.log.Error("claims: webhook payload", "claim", ev.Claim.ID, "err", err)
		return
	}
	s.deliveries.Add(1)
	go func() {
		defer s.deliveries.Done()
		s.deliver(ev.Claim.ID, ev.DataVersion, url, body)
	}()
}

// deliver posts body to url until it is answered with a 2xx status or the
// attempts run out, waiting Config.WebhookBackoff before the second attempt and
// twice as long before each next one, and records the delivery as a job run.
func (s *Service) deliver(claim string, version int64, url string, body []byte) {
	ctx := s.stopCtx
	run := indicators.JobRun{Job: WebhookJob(claim), Started: s.now(), Status: indicators.RunRunning, Attempt: 1, DataVersion: version}
	id, err := s.store.RecordJobRun(context.WithoutCancel(ctx), run)
	if err != nil {
		s.log.Error("claims: record webhook run", "claim", claim, "err", err)
	}
	wait := s.cfg.WebhookBackoff
	for run.Attempt = 1; ; run.Attempt++ {
		err = s.post(ctx, url, body)
		if err == nil || run.Attempt >= s.cfg.WebhookAttempts {
			break
		}
		s.log.Warn("claims: webhook failed, retrying", "claim", claim, "attempt", run.Attempt, "in", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			err = fmt.Errorf("%w (stopped before attempt %d)", err, run.Attempt+1)
		}
		if ctx.Err() != nil {
			break
		}
		wait *= 2
	}
	run.ID, run.Ended, run.Status, run.Message = id, s.now(), indicators.RunOK, "posted to "+url
	if err != nil {
		run.Status, run.Message = indicators.RunFailed, err.Error()
		s.log.Error("claims: webhook gave up", "claim", claim, "attempts", run.Attempt, "err", err)
	}
	if id != 0 {
		if err := s.store.UpdateJobRun(context.WithoutCancel(ctx), run); err != nil {
			s.log.Error("claims: record webhook run", "claim", claim, "err", err)
		}
	}
}

// post sends one attempt; any status but 2xx is an error.
func (s *Service) post(ctx context.Context, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "clout-claims")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s: HTTP %d", url, resp.StatusCode)
	}
	return nil
}
