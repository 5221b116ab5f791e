package render_test

import (
	"fmt"
	"image/color"
)

func fmtSscanf(s string, c *color.RGBA) (int, error) {
	c.A = 0xff
	return fmt.Sscanf(s, "#%02x%02x%02x", &c.R, &c.G, &c.B)
}
