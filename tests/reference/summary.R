# Reference values for compare/_summary.py (summarize_ipd): per-arm medians with Brookmeyer-Crowley CI,
# landmark survival, RMST to a common tau, and each arm against a reference arm (Cox HR with Efron ties,
# log-rank, RMST difference).
#
# Data sets (tests/reference/data, CSV arm,time,event):
#   demo_reconstructed_ipd  the IPD kmrecon reconstructs from the bundled demo figure data (two arms)
#   twoarm25                two seeded arms of 25 patients
#   pooled3                 three arms (three seeded "trials"), contrasts against trial1
# tau is the smallest of the arms' last follow-up times (summarize_ipd's default); landmarks 6, 12, 24.
# Writes tests/reference/summary_reference.json: R.version.string, package versions and, for every
# record, the exact R call (evaluated with `d` bound to the data set) and its values at full precision.
#
# Run from anywhere:  Rscript tests/reference/summary.R
suppressPackageStartupMessages(library(survival))
library(jsonlite)

file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
here <- dirname(normalizePath(file_arg))
records <- list()

run <- function(id, call, d, pick) {
  env <- new.env()
  env$d <- d
  value <- eval(parse(text = call), envir = env)
  records[[id]] <<- list(call = call, values = pick(value))
}

sets <- list(demo_reconstructed_ipd = "Control", twoarm25 = "control", pooled3 = "trial1")
landmarks <- c(6, 12, 24)

for (name in names(sets)) {
  d <- read.csv(file.path(here, "data", paste0(name, ".csv")), stringsAsFactors = FALSE)
  reference <- sets[[name]]
  arms <- sort(unique(d$arm))
  tau <- min(tapply(d$time, d$arm, max))
  run(sprintf("%s/tau", name), "min(tapply(d$time, d$arm, max))", d, function(v) list(tau = v))
  for (arm in arms) {
    fit <- sprintf("survfit(Surv(time, event) ~ 1, data = d[d$arm == \"%s\", ], conf.type = \"log-log\")", arm)
    run(sprintf("%s/%s/counts", name, arm), sprintf("summary(%s)$table", fit), d,
        function(t) list(n = unname(t["records"]), events = unname(t["events"])))
    run(sprintf("%s/%s/median", name, arm), sprintf("quantile(%s, probs = 0.5, conf.int = TRUE)", fit), d,
        function(q) list(median = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper)))
    run(sprintf("%s/%s/landmarks", name, arm),
        sprintf("summary(%s, times = c(%s))", fit, paste(landmarks, collapse = ", ")), d,
        function(s) list(time = s$time, surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper,
                         n_risk = s$n.risk))
    run(sprintf("%s/%s/rmean", name, arm), sprintf("summary(%s, rmean = %.17g)$table", fit, tau), d,
        function(t) list(rmean = unname(t["rmean"]), se = unname(t["se(rmean)"])))
  }
  for (arm in setdiff(arms, reference)) {
    pair <- sprintf("{ p <- d[d$arm %%in%% c(\"%s\", \"%s\"), ]; p$arm <- factor(p$arm, levels = c(\"%s\", \"%s\")); p }",
                    reference, arm, reference, arm)
    run(sprintf("%s/%s/coxph", name, arm),
        sprintf("summary(coxph(Surv(time, event) ~ arm, data = %s, ties = \"efron\"))", pair), d,
        function(s) list(coef = unname(s$coefficients[1, "coef"]), se = unname(s$coefficients[1, "se(coef)"]),
                         hr = unname(s$conf.int[1, "exp(coef)"]), lower = unname(s$conf.int[1, "lower .95"]),
                         upper = unname(s$conf.int[1, "upper .95"]), p_wald = unname(s$coefficients[1, "Pr(>|z|)"])))
    run(sprintf("%s/%s/survdiff", name, arm), sprintf("survdiff(Surv(time, event) ~ arm, data = %s)", pair), d,
        function(s) list(chisq = s$chisq, p = pchisq(s$chisq, length(s$n) - 1, lower.tail = FALSE)))
    call <- sprintf(paste0(
      "{ a <- summary(survfit(Surv(time, event) ~ 1, data = d[d$arm == \"%s\", ]), rmean = %.17g)$table; ",
      "b <- summary(survfit(Surv(time, event) ~ 1, data = d[d$arm == \"%s\", ]), rmean = %.17g)$table; ",
      "est <- a[\"rmean\"] - b[\"rmean\"]; se <- sqrt(a[\"se(rmean)\"]^2 + b[\"se(rmean)\"]^2); ",
      "c(est, se, est - qnorm(0.975) * se, est + qnorm(0.975) * se, 2 * pnorm(-abs(est / se))) }"),
      arm, tau, reference, tau)
    run(sprintf("%s/%s/rmst_diff", name, arm), call, d,
        function(v) list(difference = v[[1]], se = v[[2]], lower = v[[3]], upper = v[[4]], p = v[[5]]))
  }
  run(sprintf("%s/survdiff_all", name), "survdiff(Surv(time, event) ~ arm, data = d)", d,
      function(s) list(chisq = s$chisq, df = length(s$n) - 1,
                       p = pchisq(s$chisq, length(s$n) - 1, lower.tail = FALSE)))
}

out <- list(
  generated_by = "tests/reference/summary.R",
  R_version = R.version.string,
  packages = list(survival = as.character(packageVersion("survival")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  data_dir = "tests/reference/data",
  references = sets,
  landmarks = landmarks,
  note = "Non-finite numbers are written as the strings \"NA\", \"NaN\", \"Inf\", \"-Inf\"; summary(times=) drops landmarks after the last follow-up.",
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
writeLines(to_json(out), file.path(here, "summary_reference.json"))
cat("wrote", length(records), "records\n")
