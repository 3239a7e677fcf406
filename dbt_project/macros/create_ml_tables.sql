{#- The tables the ML steps (ml/) write, created empty before every dbt run so that the reporting
    marts' `ml` sources always exist, even before the first backtest. The ML steps only insert;
    this is the one place their columns are declared (docs/models.md, docs/architecture.md §5). -#}
{% macro create_ml_tables() %}
create schema if not exists ml;

create table if not exists ml.runs (
    run_id varchar primary key,
    run_kind varchar not null,          -- backtest | live | tune
    started_at timestamptz not null,
    finished_at timestamptz not null,
    code_version varchar,
    config_hash varchar,
    feature_set_hash varchar,
    retrain_step_days integer,
    folds integer,
    first_test_date date,
    last_test_date date,
    note varchar,
    input_hash varchar                  -- config, code, features and data: a rerun on the same is skipped
);
-- Warehouses created before input_hash existed gain the column.
alter table ml.runs add column if not exists input_hash varchar;

create table if not exists ml.predictions (
    run_id varchar not null,
    run_kind varchar not null,          -- backtest | live
    model_version varchar not null,
    trader_id varchar not null,
    account_id varchar,
    as_of_date date not null,
    target_date date not null,
    p_loss double,
    p_large_loss double,
    var_95_usd double,                  -- negative = loss
    risk_score double,                  -- 0-100
    recommended_size double,            -- 0-1, multiplier of normal size
    top_reasons varchar,
    created_at timestamptz not null,
    primary key (run_id, trader_id, target_date)
);

create table if not exists ml.ensemble_weights (
    run_id varchar not null,
    fold_id integer not null,
    trained_until date,
    test_start date,
    target varchar not null,
    member varchar not null,
    weight double,
    weighting_log_loss double,
    validation_log_loss double,
    validation_auc double,
    calibration varchar,
    mean_correlation double,
    mean_disagreement double
);

create table if not exists ml.evaluation (
    run_id varchar not null,
    fold_id integer,                    -- null = pooled over every fold of the run
    model varchar not null,
    target varchar not null,
    metric varchar not null,
    value double
);

create table if not exists ml.model_registry (
    model_version varchar primary key,
    target varchar not null,            -- risk_model: both classifiers and the 5% tail
    trained_from date,
    trained_until date,
    feature_set_hash varchar not null,
    params varchar,                     -- JSON
    metrics varchar,                    -- JSON: out-of-sample scores on the latest windows
    code_version varchar,
    artifact_path varchar not null,
    status varchar not null,            -- champion | challenger | retired
    created_at timestamptz not null,
    promoted_at timestamptz
);

create table if not exists ml.tuning_runs (
    run_id varchar not null,
    target varchar not null,
    trials integer not null,
    best_log_loss double,
    best_params varchar,                -- JSON
    created_at timestamptz not null
);
-- The policy backtest (ml/policy_backtest.py, docs/policy_backtest.md): sizing policies replayed on
-- a backtest run's out-of-sample predictions. One row per policy-backtest run.
create table if not exists ml.backtest_runs (
    run_id varchar primary key,
    predictions_run_id varchar not null, -- the ml.runs backtest whose predictions drove the policies
    started_at timestamptz not null,
    finished_at timestamptz not null,
    code_version varchar,
    config_hash varchar,
    input_hash varchar,                 -- a rerun on the same inputs is skipped
    capital_usd double not null,        -- the denominator of every return and % of capital
    first_date date,
    last_date date,
    days integer,
    traders integer,
    trials integer,                     -- policy parameter sets tried + Optuna trials (deflated Sharpe)
    best_model_policy varchar,
    best_rule_policy varchar,
    deflated_sharpe double,             -- P(the best model policy's Sharpe is not luck), given trials
    direction_accuracy double,          -- share of trader-days where P(loss) >= 0.5 matched a loss
    failed_prediction_share double,     -- share of traded trader-days without a usable prediction
    verdict varchar                     -- the report's plain sentence
);

-- One row per run per policy: its family and the parameters it used, chosen on earlier days only.
create table if not exists ml.backtest_policies (
    run_id varchar not null,
    policy varchar not null,
    family varchar not null,            -- none | rule | model
    description varchar,
    grid_points integer,
    parameter_schedule varchar,         -- JSON: [{"from": date, "params": {...}}, ...]
    primary key (run_id, policy)
);

-- One row per run per policy per trader per target_date the trader was active.
create table if not exists ml.backtest_daily (
    run_id varchar not null,
    policy varchar not null,
    trader_id varchar not null,
    target_date date not null,
    size double not null,               -- multiplier of normal size applied that day
    pnl_usd double not null,            -- net of fees (scaled with size) and the size-change cost
    unsized_pnl_usd double not null,    -- the day's actual net P&L (no intervention)
    fees_usd double not null,           -- fees at the applied size
    change_cost_usd double not null,
    primary key (run_id, policy, trader_id, target_date)
);

-- One row per run per policy per scope per metric; trader_id null = the whole firm.
create table if not exists ml.backtest_metrics (
    run_id varchar not null,
    policy varchar not null,
    trader_id varchar,
    metric varchar not null,
    value double
);

-- metric(policy) − metric(versus) on the same days, with a stationary block bootstrap interval.
create table if not exists ml.backtest_comparisons (
    run_id varchar not null,
    policy varchar not null,
    versus varchar not null,
    metric varchar not null,
    difference double,
    ci_low double,
    ci_high double,
    level double
);
-- Monitoring (ml/monitoring/, docs/monitoring.md): one row per monitor run.
create table if not exists ml.monitor_runs (
    run_id varchar primary key,
    as_of_date date not null,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    input_hash varchar,                 -- a rerun on the same inputs is skipped
    model_version varchar,              -- the champion whose training window is the reference
    reference_start date,
    reference_end date,
    current_start date,
    current_end date,
    tests integer,
    flagged integer,
    alerts_raised integer,
    note varchar
);

-- One row per run per scope (firm or trader) per monitored column.
create table if not exists ml.drift_results (
    run_id varchar not null,
    scope varchar not null,             -- firm | trader
    trader_id varchar,
    column_name varchar not null,
    column_kind varchar not null,       -- feature | behaviour | prediction | label
    n_reference integer,
    n_current integer,
    effective_reference double,         -- observations worth of independent draws
    effective_current double,
    psi double,
    ks double,
    p_value double,
    flagged boolean not null,           -- after Benjamini-Hochberg across the run's tests
    reference_median double,
    current_median double
);

-- Insert-only alert log: one row per run per condition that holds (status raised the first day,
-- ongoing after) and one when it stops holding (resolved). Secrets never reach a row.
create table if not exists ml.alerts (
    run_id varchar not null,
    as_of_date date not null,
    alert_key varchar not null,         -- rule:subject:condition, the deduplication key
    rule varchar not null,
    severity varchar not null,          -- critical | warning | info
    subject varchar not null,           -- trader_id or firm
    condition varchar not null,
    status varchar not null,            -- raised | ongoing | resolved
    message varchar,
    details varchar,                    -- JSON
    delivered_to varchar                -- channels that took it (raised rows)
);
-- The audit trail (ml/monitoring/audit.py): per live prediction, the exact model inputs it was
-- scored from, their hash, and the loads behind the trader's data of that close.
create table if not exists ml.prediction_inputs (
    run_id varchar not null,
    trader_id varchar not null,
    target_date date not null,
    as_of_date date not null,
    model_version varchar not null,
    feature_hash varchar not null,      -- sha256 of `inputs`
    inputs varchar not null,            -- JSON: every model input and pnl_scale_usd, exact floats
    load_ids varchar,                   -- JSON: raw load ids of the trader's fills and totals that close
    primary key (run_id, trader_id, target_date)
);
{% endmacro %}
