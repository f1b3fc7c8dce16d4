"""Where files live: a local folder (the embedded default) or an S3-compatible object store
(`STORAGE_URL`), so that web processes and workers on different hosts read the same files."""
