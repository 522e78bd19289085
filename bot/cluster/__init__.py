"""Several identical copies of the bot on one PostgreSQL (config `cluster.enabled`, `aspirasi run --webhook`).

Every copy receives (the webhook stores each update before its 200), every copy handles updates (a chat at a
time, claimed with an advisory lock: `worker`), and one copy each sends the outbox and runs the scheduled jobs,
elected by advisory locks (`leaders`). `health` is each copy's page for the load balancer and for people.
"""
