"""The Data Review Tool's work: accept an upload, check it in the background, convert it, and forget it on time.

Views and the API call these modules; the background tasks in tasks.py call checking.run_review and
conversions.run_conversions. The services never import the tasks: they queue work through the TaskQueue that tasks.py
gives them (lanes.use_task_queue, called when Django starts, in apps.ReviewsConfig.ready), so the tasks call the
services and not the other way round. Nothing here trusts the upload: its name is for display only, its content is
sniffed, compressed input is expanded with limits, and any input that cannot be read leaves only a short explanation
behind, never half-written files.

- ``storage``: where a review's files are kept, and how much the store holds.
- ``uploads``: accepting an upload or pasted JSON, refusing it at once when it cannot be taken (UploadRefused).
- ``lanes``: the task queue and the lanes reviews wait in.
- ``checking``: the background check of a stored upload.
- ``conversions``: the JSON, XLSX and CSV downloads of a checked upload.
- ``expiry``: forgetting reviews on time.
- ``blank_template``: the blank spreadsheet template.
"""
