"""Commands over the pipeline's parts: `compare` (two articles side by side) and `events`
(CAMEO events of texts); `analyze` is `newstrace.runner`."""
