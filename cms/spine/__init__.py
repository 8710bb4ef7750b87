"""The write spine: what every write passes through after its plan, in this order.

- `journal`: an operation is journaled, applied and announced, once however often it is retried.
- `loads`: many operations at once (a fixture load), seen whole or not at all.
- `events`: the event log in the store, numbered, that every process reads in order.
- `arrivals`: the announcement of a scheduled article whose time has come.
- `feed`: this process's one follower of the log, handing events to in-process followers.
- `reader_positions`: where each durable reader of the log (webhooks) stands.
- `liveness`: which processes are alive, so that sweeps complete only abandoned writes.

Who follows a write, in order, is named in `cms.followers`.
"""
