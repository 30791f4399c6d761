# Reference values for compare/_km.py, compare/_rmst.py, compare/_cox.py, compare/_pooled.py.
#
# Reads the seeded IPD CSVs in tests/reference/data/ (written by survival_data.py) and writes
# tests/reference/survival_reference.json: R.version.string, package versions and, for every record,
# the exact R call that produced its numbers (evaluated with `d` bound to the data set, full precision).
#
# Run from anywhere:  Rscript tests/reference/survival.R
suppressPackageStartupMessages(library(survival))
library(jsonlite)

file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
here <- dirname(normalizePath(file_arg))
records <- list()

# Evaluate `call` (a string) with the data set bound to `d`, keep the string next to the values.
run <- function(id, call, d, pick) {
  env <- new.env()
  env$d <- d
  value <- eval(parse(text = call), envir = env)
  records[[id]] <<- list(call = call, values = pick(value))
}

read_set <- function(name) {
  read.csv(file.path(here, "data", paste0(name, ".csv")), stringsAsFactors = FALSE)
}

km_fields <- function(f) {
  list(time = f$time, surv = f$surv, n_risk = f$n.risk, n_event = f$n.event, n_censor = f$n.censor,
       std_err = f$std.err, lower = f$lower, upper = f$upper)
}
quantile_fields <- function(q) list(quantile = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper))
landmark_fields <- function(s) {
  list(time = s$time, surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper, n_risk = s$n.risk)
}
table_fields <- function(s) as.list(s$table)
sel <- function(arm) sprintf("d[d$arm == \"%s\", ]", arm)

one_arm_sets <- c("phase2_ties", "twoarm25", "large300", "pooled3", "flat_mid", "flat_end", "never_half")
landmark_times <- list(phase2_ties = c(0.5, 3, 6, 12, 12.5, 20), twoarm25 = c(0.5, 3, 6, 12),
                       large300 = c(0.5, 6, 12, 24, 36), pooled3 = c(0.5, 6, 12, 24),
                       flat_mid = c(0.5, 5, 5.5, 9), flat_end = c(0.5, 5, 7, 10), never_half = c(0.5, 10, 20))
rmean_taus <- list(phase2_ties = c(12, 23, 30), twoarm25 = c(6, 12), large300 = c(12, 24, 36, 60),
                   pooled3 = c(12, 24), flat_mid = c(5, 10), flat_end = c(6, 12), never_half = c(20))

for (name in one_arm_sets) {
  d <- read_set(name)
  for (arm in sort(unique(d$arm))) {
    base <- sprintf("survfit(Surv(time, event) ~ 1, data = %s", sel(arm))
    types <- if (name %in% c("phase2_ties", "large300")) c("log-log", "log", "plain") else "log-log"
    levels <- if (name %in% c("phase2_ties", "large300")) c(0.95, 0.9) else 0.95
    for (ct in types) for (cl in levels) {
      fit_call <- sprintf("%s, conf.type = \"%s\", conf.int = %s)", base, ct, cl)
      key <- sprintf("%s/%s/%s/%s", name, arm, ct, cl)
      run(paste0("km/", key), fit_call, d, km_fields)
      run(paste0("quantile/", key),
          sprintf("quantile(%s, probs = c(0.1, 0.25, 0.5, 0.75, 0.9), conf.int = TRUE)", fit_call), d,
          quantile_fields)
      run(paste0("print_median/", key), sprintf("summary(%s)", fit_call), d,
          function(s) list(median = unname(s$table["median"]), lower = unname(s$table[paste0(cl, "LCL")]),
                           upper = unname(s$table[paste0(cl, "UCL")])))
    }
    fit_call <- sprintf("%s, conf.type = \"log-log\", conf.int = 0.95)", base)
    times <- landmark_times[[name]]
    run(sprintf("landmark/%s/%s", name, arm),
        sprintf("summary(%s, times = c(%s))", fit_call, paste(times, collapse = ", ")), d, landmark_fields)
    for (tau in rmean_taus[[name]]) {
      run(sprintf("rmean/%s/%s/%s", name, arm, tau), sprintf("summary(%s, rmean = %s)", fit_call, tau), d,
          function(s) list(rmean = unname(s$table["rmean"]), se = unname(s$table["se(rmean)"])))
    }
  }
}

# Two-arm comparisons: Cox (Efron and Breslow), log-rank, RMST difference (survRM2's rmst2 formula).
for (name in c("twoarm25", "large300")) {
  d <- read_set(name)
  for (ties in c("efron", "breslow")) {
    run(sprintf("cox/%s/%s", name, ties),
        sprintf("summary(coxph(Surv(time, event) ~ arm, data = d, ties = \"%s\"))", ties), d,
        function(s) list(coef = unname(s$coefficients[1, "coef"]), se = unname(s$coefficients[1, "se(coef)"]),
                         hr = unname(s$conf.int[1, "exp(coef)"]), lower = unname(s$conf.int[1, "lower .95"]),
                         upper = unname(s$conf.int[1, "upper .95"]), p_wald = unname(s$coefficients[1, "Pr(>|z|)"])))
  }
  run(sprintf("survdiff/%s", name), "survdiff(Surv(time, event) ~ arm, data = d)", d,
      function(s) list(chisq = s$chisq, df = length(s$n) - 1, p = pchisq(s$chisq, length(s$n) - 1, lower.tail = FALSE),
                       observed = as.numeric(s$obs), expected = as.numeric(s$exp), groups = names(s$n)))
  for (tau in c(6, 12, 20)) {
    call <- sprintf(paste0(
      "{ a <- summary(survfit(Surv(time, event) ~ 1, data = d[d$arm == \"treatment\", ]), rmean = %s)$table; ",
      "b <- summary(survfit(Surv(time, event) ~ 1, data = d[d$arm == \"control\", ]), rmean = %s)$table; ",
      "est <- a[\"rmean\"] - b[\"rmean\"]; se <- sqrt(a[\"se(rmean)\"]^2 + b[\"se(rmean)\"]^2); ",
      "c(est, se, est - qnorm(0.975) * se, est + qnorm(0.975) * se, 2 * pnorm(-abs(est / se))) }"), tau, tau)
    run(sprintf("rmst_diff/%s/%s", name, tau), call, d,
        function(v) list(difference = v[[1]], se = v[[2]], lower = v[[3]], upper = v[[4]], p = v[[5]]))
  }
}

# Pooled curves over the three one-arm "trials" of pooled3.
d <- read_set("pooled3")
run("pooled/naive", "survfit(Surv(time, event) ~ 1, data = d, conf.type = \"log-log\")", d, km_fields)
# Stratified: direct-adjusted curve sum_k w_k S_k(t), w_k = n_k / N, Var = sum_k w_k^2 Var(S_k(t)) (Greenwood),
# on the union of observed times up to the shortest trial follow-up; log-log CI on se(log S) = sd(S) / S.
stratified_call <- paste0(
  "{ arms <- sort(unique(d$arm)); grid <- sort(unique(d$time[d$time <= min(tapply(d$time, d$arm, max))])); ",
  "w <- as.numeric(table(d$arm)[arms]) / nrow(d); s <- 0; v <- 0; ",
  "for (k in seq_along(arms)) { sm <- summary(survfit(Surv(time, event) ~ 1, data = d[d$arm == arms[k], ]), times = grid); ",
  "s <- s + w[k] * sm$surv; v <- v + w[k]^2 * ifelse(sm$surv == 0, 0, sm$std.err^2) }; ",
  "se <- ifelse(s > 0, sqrt(v) / s, Inf); ",
  "ci <- survival:::survfit_confint(s, se, logse = TRUE, conf.type = \"log-log\", conf.int = 0.95); ",
  "list(time = grid, surv = s, std_err = se, lower = ci$lower, upper = ci$upper, weights = w) }")
run("pooled/stratified", stratified_call, d, function(v) v)

out <- list(
  generated_by = "tests/reference/survival.R",
  R_version = R.version.string,
  packages = list(survival = as.character(packageVersion("survival")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  data_dir = "tests/reference/data (IPD CSV arm,time,event written by tests/reference/survival_data.py)",
  note = "Non-finite numbers are written as the strings \"NA\", \"NaN\", \"Inf\", \"-Inf\".",
  records = records
)
# jsonlite rounds to 15 significant digits; write numbers with %.17g so they round-trip exactly.
num_json <- function(x) {
  ifelse(is.na(x) & !is.nan(x), "\"NA\"", ifelse(is.nan(x), "\"NaN\"", ifelse(is.infinite(x),
         ifelse(x > 0, "\"Inf\"", "\"-Inf\""), sprintf("%.17g", x))))
}
to_json <- function(x, indent = "") {
  inner <- paste0(indent, "  ")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    parts <- vapply(x, to_json, "", indent = inner)
    if (is.null(names(x))) return(paste0("[\n", inner, paste(parts, collapse = paste0(",\n", inner)), "\n", indent, "]"))
    keys <- vapply(names(x), function(k) as.character(toJSON(k, auto_unbox = TRUE)), "")
    return(paste0("{\n", inner, paste(keys, parts, sep = ": ", collapse = paste0(",\n", inner)), "\n", indent, "}"))
  }
  items <- if (is.numeric(x)) num_json(as.numeric(x)) else if (is.logical(x)) ifelse(x, "true", "false")
           else vapply(as.character(x), function(s) as.character(toJSON(s, auto_unbox = TRUE)), "")
  if (length(items) == 1) items else paste0("[", paste(items, collapse = ", "), "]")
}
writeLines(to_json(out), file.path(here, "survival_reference.json"))
cat("wrote", length(records), "records\n")
