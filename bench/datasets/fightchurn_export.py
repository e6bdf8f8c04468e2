"""Generate the "socialnet7" churn simulation of Carl Gold's *Fighting Churn with Data*
(github.com/carl24k/fight-churn, MIT licence) as three CSV files, without its PostgreSQL
schema, for `manage.py health_dataset_load --format fightchurn DIR`.

Not part of the app and not run by the tests: it needs the fight-churn checkout and its
own dependencies (numpy, pandas, omegaconf, filelock, joblib, python-dateutil) in a
separate virtualenv (docs/health.md, "Evaluation on a public dataset"):

    python bench/datasets/fightchurn_export.py --repo PATH/TO/fight-churn --out DIR \
        --customers 400 --seed 7

It imports the simulation's own classes (ChurnSimulation, the behaviour and utility
models) and only replaces where they write: instead of their database, DIR gets
  account.csv       id,channel,date_of_birth,country
  subscription.csv  account_id,product,start_date,end_date,mrr,quantity,units,bill_period,discount
  event.csv         account_id,event_time,event_type_id,user_id,value
  event_type.csv    event_type_id,event_type_name
  meta.json         the simulation's model, start and end dates, customers and seed
(no header rows in the first three, as the simulation writes them).
"""

import argparse
import json
import os
import random
import sys
import types


def _stub_modules() -> None:
    """The simulation module imports its database and cloud helpers at the top; none of
    them is used here, so light stand-ins satisfy the imports."""
    hydra = types.ModuleType("hydra")
    hydra.main = lambda *a, **k: lambda f: f
    sys.modules.setdefault("hydra", hydra)
    for name in ("psycopg2", "postgres", "boto3", "botocore", "botocore.exceptions"):
        module = types.ModuleType(name)
        module.Postgres = object
        module.ClientError = Exception
        sys.modules.setdefault(name, module)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="a checkout of github.com/carl24k/fight-churn")
    parser.add_argument("--out", required=True, help="directory for the CSV files")
    parser.add_argument("--model", default="socialnet7")
    parser.add_argument("--customers", type=int, default=400, help="customers at the start date")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    _stub_modules()
    sys.path.insert(0, os.path.abspath(args.repo))
    import numpy as np
    from fightchurn.churnsim import churnsim
    from omegaconf import OmegaConf

    conf_dir = os.path.join(args.repo, "fightchurn", "churnsim", "conf")
    cfg = OmegaConf.merge(
        OmegaConf.load(os.path.join(conf_dir, "default.yaml")),
        OmegaConf.load(os.path.join(conf_dir, f"{args.model}.yaml")),
    )
    cfg.init_customers = args.customers
    cfg.random_seed = args.seed
    cfg.n_parallel = 1
    cfg.dev = False
    if "defaults" in cfg:
        del cfg["defaults"]
    random.seed(args.seed)
    np.random.seed(args.seed)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    os.environ.setdefault("CHURN_OUT_DIR", out)
    for name in ("account.csv", "subscription.csv", "event.csv"):
        open(os.path.join(out, name), "w").close()

    class CsvSimulation(churnsim.ChurnSimulation):
        def first_sim_setup(self, force):
            self.remove_tmp_files()

        def sim_rate_debug_query(self):
            pass

        def add_customer_to_database(self, customer):
            with open(os.path.join(out, "account.csv"), "a") as f:
                f.write(f"{customer.id},{customer.channel},{customer.date_of_birth.isoformat()},{customer.country}\n")

        def customer_events_subs_to_database(self, customer, file_date=None):
            with open(os.path.join(out, "subscription.csv"), "a") as f:
                for s in customer.subscriptions:
                    f.write(",".join(str("NULL" if v is None else v) for v in (customer.id, *s)) + "\n")
            with open(os.path.join(out, "event.csv"), "a") as f:
                for e in customer.events:
                    f.write(",".join(str("NULL" if v is None else v) for v in (customer.id, *e)) + "\n")

    sim = CsvSimulation(cfg)
    with open(os.path.join(out, "event_type.csv"), "w") as f:
        for idx, name in enumerate(sim.model_list[0].behave_names):
            f.write(f"{idx},{name}\n")
    with open(os.path.join(out, "meta.json"), "w") as f:
        meta = {"model": args.model, "start_date": str(cfg.start_date), "end_date": str(cfg.end_date)}
        json.dump({**meta, "customers": args.customers, "seed": args.seed}, f)
    sim.end_to_end_simulation(force=True)


if __name__ == "__main__":
    main()
