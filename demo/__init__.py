"""Demo data for Pulse CS, on the top floor: `seed_demo --accounts N --seed S` runs every step
in order (demo.run), `demo_logins` prints the team's logins, /demo-host/ shows the survey widget
in a pretend customer product (DEBUG only).

- demo.context: DemoContext, what every step gets.
- demo.run: the steps in order, run_demo, demo_flush, demo_is_empty.
- demo.accounts: the accounts step (team, customer base, a year of history), a package.
- demo.surveys, demo.onboarding, demo.health, demo.playbooks, demo.reports: the other steps.
- demo.sql: the bulk loader and every database-specific piece (COPY, ids, keys, TRUNCATE).
- demo.views: the demo host page.
"""
