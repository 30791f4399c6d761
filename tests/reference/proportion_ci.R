# Reference confidence intervals for a binomial proportion (tests/test_proportion_ci.py).
# Run from the repository root:  Rscript tests/reference/proportion_ci.R
# Writes tests/reference/proportion_ci.json. Base R only (the 'binom' package is not in Debian):
# exact and score intervals from binom.test / prop.test, the others from their closed forms.
options(digits = 17)

calls <- list(
  "clopper-pearson" = "binom.test(x, n, conf.level = conf)$conf.int",
  "wilson"          = "prop.test(x, n, conf.level = conf, correct = FALSE)$conf.int",
  "wilson-cc"       = "prop.test(x, n, conf.level = conf, correct = TRUE)$conf.int",
  "jeffreys"        = "c(if (x == 0) 0 else qbeta(a/2, x + .5, n - x + .5), if (x == n) 1 else qbeta(1 - a/2, x + .5, n - x + .5))",
  "wald"            = "pmin(pmax(p + c(-1, 1) * z * sqrt(p * (1 - p) / n), 0), 1)",
  "wald-cc"         = "pmin(pmax(p + c(-1, 1) * (z * sqrt(p * (1 - p) / n) + 1 / (2 * n)), 0), 1)",
  "agresti-coull"   = "{nt <- n + z^2; pt <- (x + z^2/2) / nt; pmin(pmax(pt + c(-1, 1) * z * sqrt(pt * (1 - pt) / nt), 0), 1)}",
  "mid-p"           = paste0("c(if (x == 0) 0 else uniroot(function(q) pbinom(x, n, q, lower.tail = FALSE) + dbinom(x, n, q)/2 - a/2, c(0, 1), tol = 1e-15)$root, ",
                             "if (x == n) 1 else uniroot(function(q) pbinom(x - 1, n, q) + dbinom(x, n, q)/2 - a/2, c(0, 1), tol = 1e-15)$root)")
)

cases <- list()
grid <- rbind(
  expand.grid(x = 0:5, n = 5),
  expand.grid(x = 0:25, n = 25),
  data.frame(x = c(0, 1, 2, 9, 18, 35, 36, 37), n = 37),
  data.frame(x = c(0, 1, 3, 50, 97, 100), n = 100)
)
for (conf in c(0.95, 0.90)) {
  rows <- if (conf == 0.95) seq_len(nrow(grid)) else which(grid$n == 25)
  for (i in rows) {
    x <- grid$x[i]; n <- grid$n[i]; a <- 1 - conf; z <- qnorm(1 - a/2); p <- x / n
    for (m in names(calls)) {
      ci <- suppressWarnings(eval(parse(text = calls[[m]])))
      cases[[length(cases) + 1]] <- sprintf(
        '{"method": "%s", "x": %d, "n": %d, "conf_level": %.2f, "lower": %s, "upper": %s, "call": "%s"}',
        m, x, n, conf, format(ci[1], digits = 17), format(ci[2], digits = 17), gsub('"', '\\\\"', calls[[m]]))
    }
  }
}
json <- paste0('{\n"R_version": "', R.version.string, '",\n',
               '"packages": {"stats": "', as.character(packageVersion("stats")), '"},\n',
               '"script": "tests/reference/proportion_ci.R",\n',
               '"note": "x successes of n; a = 1 - conf_level; z = qnorm(1 - a/2); p = x/n",\n',
               '"cases": [\n', paste(cases, collapse = ",\n"), '\n]}\n')
writeLines(json, "tests/reference/proportion_ci.json")
