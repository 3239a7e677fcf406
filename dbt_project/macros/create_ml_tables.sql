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
    flagged boolean not null,           -- after Benjamini-Hochberg across the run's counted tests
    reference_median double,
    current_median double,
    attainable_p_value double,          -- the smallest p-value the test could give at these sizes
    counted boolean                     -- kept by Tarone's screen: could reach significance
);
-- Warehouses created before Tarone's screen gain its columns.
alter table ml.drift_results add column if not exists attainable_p_value double;
alter table ml.drift_results add column if not exists counted boolean;

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
-- ModelMonitor (ml/monitoring/model_health.py): per monitor run, per model version and target,
-- per rolling window of target dates: realised scores where labels are known, and the scores
-- expected from the calibrated probabilities alone (confidence-based performance estimation).
create table if not exists ml.model_health (
    run_id varchar not null,
    as_of_date date not null,
    model_version varchar not null,
    target varchar not null,            -- is_loss | is_large_loss
    window_start date not null,
    window_end date not null,
    rows integer,
    labelled_rows integer,
    realised_auc double,
    realised_brier double,
    calibration_error double,           -- expected calibration error, 10 equal-width bins
    estimated_auc double,               -- CBPE: expected ROC AUC if the probabilities are calibrated
    estimated_brier double,
    reference_auc double,               -- the version's own backtest AUC, what "degraded" is measured against
    degraded boolean not null
);

-- Feature-importance stability across retrains: rank correlation of gain between each registered
-- version and the one registered before it.
create table if not exists ml.importance_stability (
    run_id varchar not null,
    model_version varchar not null,
    previous_version varchar not null,
    target varchar not null,
    gain_rank_correlation double,
    top_overlap double                  -- share of the previous version's top 10 features still in the top 10
);

-- Decisions and overrides recorded by the risk manager (`riskman override`, the viewer): they join
-- a prediction's audit chain by trader and target date. Insert-only.
create table if not exists ml.overrides (
    override_id varchar primary key,
    recorded_at timestamptz not null,
    recorded_by varchar not null,
    trader_id varchar not null,
    target_date date not null,
    prediction_run_id varchar,          -- the live prediction it acts on, when there is one
    model_version varchar,
    action varchar not null,            -- accept | override_size | suspend | note
    size double,                        -- the size decided (0-1), for override_size and suspend
    reason varchar not null
);
-- Traders a live predict run did not score because a critical data check failed on their data
-- (docs/architecture.md §6): one row per run × trader, with the failing expectation.
create table if not exists ml.blocked_predictions (
    run_id varchar not null,
    trader_id varchar not null,         -- 'firm' when the failure names no trader: nobody was scored
    as_of_date date not null,
    check_run_id varchar not null,      -- quality.check_results.run_id
    reason varchar not null
);
{% endmacro %}
