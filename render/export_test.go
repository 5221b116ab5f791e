package render

// PrepareOption is prepareOption for the benchmarks, which hand peers the very
// option Clout's runtime draws.
var PrepareOption = prepareOption
