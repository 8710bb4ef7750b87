"""Webhooks: the first durable reader of the event log, telling frontends and CDNs what changed.

- `endpoints`: the addresses admins register, with the events each wants and its secret.
- `dispatch`: reads the log from a stored position and turns events into deliveries.
- `outbox`: deliveries and attempts as documents; queueing, claiming, recording, retrying.
- `history`: what admins read about deliveries, and pruning.
- `sending`: one signed POST through the address guard (`guard`, `signing`).
- `service`: the dispatcher and the sender, run by every API process.
"""
