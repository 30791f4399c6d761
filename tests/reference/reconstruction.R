# Reference statistics on the IPD that kmrecon reconstructs from the bundled demo curves
# (tests/reference/data/demo_reconstructed_ipd.csv, written by reconstruction_data.py).
# Writes tests/reference/reconstruction_reference.json with R.version.string, the survival
# package version and, for every record, the exact R call that produced it (full precision).
#
# Run from anywhere:  Rscript tests/reference/reconstruction.R
suppressPackageStartupMessages(library(survival))
library(jsonlite)

file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE))
here <- dirname(normalizePath(file_arg))
d <- read.csv(file.path(here, "data", "demo_reconstructed_ipd.csv"), stringsAsFactors = FALSE)
d$arm <- factor(d$arm, levels = c("Control", "Experimental"))
records <- list()
run <- function(id, call, pick) {
  value <- eval(parse(text = call))
  records[[id]] <<- list(call = call, values = pick(value))
}

for (arm in levels(d$arm)) {
  fit <- sprintf("survfit(Surv(time, event) ~ 1, data = d[d$arm == \"%s\", ], conf.type = \"log-log\")", arm)
  run(paste0("km/", arm), fit, function(f) list(time = f$time, surv = f$surv, n_risk = f$n.risk,
                                                 lower = f$lower, upper = f$upper))
  run(paste0("median/", arm), sprintf("quantile(%s, probs = 0.5, conf.int = TRUE)", fit),
      function(q) list(median = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper)))
  run(paste0("landmark/", arm), sprintf("summary(%s, times = c(6, 12))", fit),
      function(s) list(time = s$time, surv = s$surv, lower = s$lower, upper = s$upper))
}
run("coxph", "coxph(Surv(time, event) ~ arm, data = d, ties = \"efron\")",
    function(m) list(hr = unname(exp(coef(m))), lower = unname(exp(confint(m))[1]),
                     upper = unname(exp(confint(m))[2])))
run("survdiff", "survdiff(Surv(time, event) ~ arm, data = d)",
    function(s) list(chisq = s$chisq, p = pchisq(s$chisq, df = 1, lower.tail = FALSE)))

out <- list(
  generated_by = "tests/reference/reconstruction.R",
  R_version = R.version.string,
  packages = list(survival = as.character(packageVersion("survival"))),
  reference_arm = "Control",
  records = records
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           file.path(here, "reconstruction_reference.json"))
