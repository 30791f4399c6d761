# Reference values for compare/_binary.py and compare/_meta.py.
# Run from the repository root:  Rscript tests/reference/compare_binary_meta.R
# Writes tests/reference/compare_binary_meta.json (full double precision, with the exact R call of each number).
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})

level <- 0.95
z <- qnorm(1 - (1 - level) / 2)

# --- Clopper-Pearson: binom.test ---------------------------------------------------------------
props <- list(c(11, 25), c(0, 25), c(25, 25), c(51, 125), c(3, 122), c(31, 35), c(89, 326), c(1, 1), c(16, 25))
clopper <- lapply(props, function(p) {
  ci <- binom.test(p[1], p[2], conf.level = level)$conf.int
  list(x = p[1], n = p[2], low = ci[1], high = ci[2],
       call = sprintf("binom.test(%d, %d, conf.level = %g)$conf.int", p[1], p[2], level))
})

# --- Two proportions -----------------------------------------------------------------------------
wilson <- function(x, n) prop.test(x, n, correct = FALSE, conf.level = level)$conf.int
pairs <- list(c(11, 25, 51, 125), c(11, 25, 3, 122), c(31, 35, 24, 36), c(89, 326, 19, 159), c(0, 25, 3, 122),
              c(16, 25, 240, 326))
contrasts <- lapply(pairs, function(p) {
  x1 <- p[1]; n1 <- p[2]; x2 <- p[3]; n2 <- p[4]
  p1 <- x1 / n1; p2 <- x2 / n2
  w1 <- wilson(x1, n1); w2 <- wilson(x2, n2)
  # Newcombe (1998) method 10: hybrid score interval from the two Wilson intervals
  newcombe <- c(p1 - p2 - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
                p1 - p2 + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
  wald <- (p1 - p2) + c(-1, 1) * z * sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
  add <- if (x1 == 0 || x2 == 0) 0.5 else 0
  a1 <- x1 + add; b1 <- n1 + add; a2 <- x2 + add; b2 <- n2 + add
  ratio_ci <- exp(log((a1 / b1) / (a2 / b2)) + c(-1, 1) * z * sqrt(1 / a1 - 1 / b1 + 1 / a2 - 1 / b2))
  ft <- fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2), conf.level = level)
  list(x1 = x1, n1 = n1, x2 = x2, n2 = n2,
       newcombe = newcombe, wald = wald, ratio_ci = ratio_ci,
       ratio_method = if (add > 0) "log-adjusted" else "log",
       fisher_p = ft$p.value, fisher_or = unname(ft$estimate), fisher_or_ci = as.numeric(ft$conf.int),
       calls = list(
         newcombe = "Wilson bounds prop.test(x, n, correct = FALSE)$conf.int combined as Newcombe 1998 method 10",
         wald = "(p1 - p2) + c(-1, 1) * qnorm(0.975) * sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)",
         ratio = "exp(log(p1 / p2) + c(-1, 1) * qnorm(0.975) * sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)), 0.5 added if a count is 0",
         fisher = sprintf("fisher.test(matrix(c(%d, %d, %d, %d), 2))", x1, n1 - x1, x2, n2 - x2)))
})

# --- Random-effects meta-analysis of proportions ----------------------------------------------------
datasets <- list(
  haic = list(x = c(11, 31, 51, 24, 32), n = c(25, 35, 125, 36, 53)),
  zeros = list(x = c(0, 3, 5, 12), n = c(10, 20, 30, 40)),
  homogeneous = list(x = c(10, 11, 12), n = c(50, 50, 50)),
  two = list(x = c(89, 19), n = c(326, 159))
)
ctrl <- list(threshold = 1e-12, maxiter = 10000)
meta <- list()
for (name in names(datasets)) {
  d <- datasets[[name]]
  for (measure in c("PLO", "PFT")) {
    for (method in c("DL", "REML")) {
      res <- rma(measure = measure, xi = d$x, ni = d$n, method = method, control = ctrl)
      pred <- if (measure == "PLO") predict(res, transf = transf.ilogit) else
        predict(res, transf = transf.ipft.hm, targs = list(ni = d$n))
      meta[[length(meta) + 1]] <- list(
        dataset = name, x = d$x, n = d$n, measure = measure, method = method,
        yi = as.numeric(res$yi), vi = as.numeric(res$vi),
        estimate = as.numeric(res$b), se = res$se, ci = c(res$ci.lb, res$ci.ub), z = res$zval, p = res$pval,
        tau2 = res$tau2, I2 = res$I2, H2 = res$H2, QE = res$QE, QEp = res$QEp,
        weights = as.numeric(weights(res)),
        proportion = pred$pred, proportion_ci = c(pred$ci.lb, pred$ci.ub),
        call = sprintf(paste0("rma(measure = \"%s\", xi = c(%s), ni = c(%s), method = \"%s\", ",
                              "control = list(threshold = 1e-12, maxiter = 10000)); predict(res, transf = %s)"),
                       measure, paste(d$x, collapse = ", "), paste(d$n, collapse = ", "), method,
                       if (measure == "PLO") "transf.ilogit" else "transf.ipft.hm, targs = list(ni = n)"))
    }
  }
}

# --- Bucher anchored indirect comparison (hand-worked) ------------------------------------------------
se_from_ci <- function(l, u) (log(u) - log(l)) / (2 * z)
bucher_cases <- list(
  list(name = "he_os_vs_imbrave_os", ac = c(0.35, 0.26, 0.48), bc = c(0.58, 0.42, 0.79)),
  list(name = "he_os_vs_cares_os_final", ac = c(0.35, 0.26, 0.48), bc = c(0.64, 0.52, 0.79)),
  list(name = "cares_pfs_vs_imbrave_pfs", ac = c(0.52, 0.41, 0.65), bc = c(0.59, 0.47, 0.76)),
  list(name = "sharp_os_vs_ap_os", ac = c(0.69, 0.55, 0.87), bc = c(0.68, 0.50, 0.93))
)
bucher <- lapply(bucher_cases, function(b) {
  d <- log(b$ac[1]) - log(b$bc[1])
  s <- sqrt(se_from_ci(b$ac[2], b$ac[3])^2 + se_from_ci(b$bc[2], b$bc[3])^2)
  list(name = b$name, ac = b$ac, bc = b$bc, log_hr = d, se = s, hr = exp(d),
       ci = exp(d + c(-1, 1) * z * s), p = 2 * pnorm(-abs(d / s)),
       call = paste("se <- (log(u) - log(l)) / (2 * qnorm(0.975)); d <- log(hr_ac) - log(hr_bc);",
                    "s <- sqrt(se_ac^2 + se_bc^2); exp(d + c(-1, 1) * qnorm(0.975) * s); 2 * pnorm(-abs(d / s))"))
})

out <- list(
  R_version = R.version.string,
  packages = list(metafor = as.character(packageVersion("metafor")), stats = as.character(packageVersion("stats"))),
  conf_level = level,
  clopper_pearson = clopper,
  two_proportions = contrasts,
  meta = meta,
  bucher = bucher
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/compare_binary_meta.json")
