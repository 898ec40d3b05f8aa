"""The background task worker: runs queued tasks, says it is alive, and puts back tasks whose worker died."""
