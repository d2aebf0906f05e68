// The hot path stackallocs scratch buffers for unescaping and transcoding on every event; they are
// only read where they were written, so zero-initializing them is wasted work.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
