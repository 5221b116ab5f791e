package indicators

import "time"

// StagedUpload is a dry-run upload kept in the store until it is imported or
// expires, so the import step needs no second upload and may reach any replica.
type StagedUpload struct {
	ID       string
	Owner    string // who may import it: "token" or the session's owner id
	Dataset  string
	FileName string
	Format   string
	Data     []byte
	Expires  time.Time
}
