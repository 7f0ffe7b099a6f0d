"""The benchmark harness behind bench/run.py (see bench/README.md).

config     command line, Config, constants, log()
database   the scratch database (embedded or on DATABASE_URL) and which PostgreSQL processes to charge
seed       SQL that fills the database: referrals, forwardable referrals, webhook backlogs
server     child processes: the API, delivery workers, the webhook receiver; subscriptions
load       wrk driver and result parsing, CPU and RSS sampling from /proc
scenarios  API scenarios: agency queue, intake, forward, memory, scale, scale-out
webhooks   webhook scenarios: intake with a worker, paced commit -> receipt, delivery throughput
profile    py-spy profiles (--profile) and their hot spots
report     targets and verdicts, the printed table, the JSON record
runner     the order of a run, machine facts, main()
"""
