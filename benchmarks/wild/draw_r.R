# Draw the R figures of the wild corpus: survminer ggsurvplot (five themes), base R plot.survfit with an
# mtext at-risk table, rms::survplot(n.risk = TRUE). One call draws a whole batch (R start-up is slow).
#
# Usage: Rscript draw_r.R manifest.json
# The manifest (written by make_corpus.py) is a list of jobs: look, ipd (CSV arm,time,event, arms in legend
# order), out (PNG), x_max, x_step, width_px, aspect, and the drawing options of the spec.
suppressPackageStartupMessages({
  library(survival); library(survminer); library(jsonlite); library(ggplot2)
})

args <- commandArgs(trailingOnly = TRUE)
jobs <- fromJSON(args[1], simplifyDataFrame = FALSE)

palette_for <- function(name, k) {
  if (name == "default") return("hue")
  if (name == "grey") return(grey.colors(k, start = 0.1, end = 0.6))
  name
}

theme_for <- function(look, fs) {
  switch(look,
    survminer_default = theme_survminer(base_size = fs),
    survminer_bw = theme_bw(base_size = fs),
    survminer_classic = theme_classic(base_size = fs),
    survminer_minimal = theme_minimal(base_size = fs),
    survminer_light = theme_light(base_size = fs))
}

draw_survminer <- function(j, d, arms) {
  fit <- surv_fit(Surv(time, event) ~ arm, data = d)
  k <- length(arms)
  legend <- switch(j$legend, top = "top", right = "right", none = "none", inside = c(0.8, 0.85))
  fs <- round(11 * j$font_scale)
  args <- list(fit = fit, data = d, risk.table = j$risk_table, tables.y.text = j$table_text,
    ncensor.plot = j$censor_plot && j$risk_table, conf.int = j$conf_int, palette = palette_for(j$palette, k),
    legend = legend, legend.labs = arms, legend.title = "", break.time.by = j$x_step,
    xlim = c(0, j$x_max), censor = TRUE, ggtheme = theme_for(j$look, fs),
    xlab = if (j$axis_titles) "Time (months)" else "", ylab = if (j$axis_titles) "Survival probability" else "",
    risk.table.height = 0.25 + 0.03 * k, fontsize = 3.5 * j$font_scale)
  if (j$percent) args$surv.scale <- "percent"
  if (j$risk_table) args$tables.theme <- theme_cleantable()
  if (j$risk_table && (j$seed %% 3 == 0)) args$tables.theme <- theme_for(j$look, fs)
  drawn <- tryCatch({
    print(do.call(ggsurvplot, args), newpage = FALSE)
    TRUE
  }, error = function(e) FALSE)
  if (!drawn) {  # survminer's censoring plot fails on some palettes ("Unknown colour name: strata")
    grid::grid.newpage()
    args$ncensor.plot <- FALSE
    print(do.call(ggsurvplot, args), newpage = FALSE)
  }
}

draw_base <- function(j, d, arms) {
  fit <- survfit(Surv(time, event) ~ arm, data = d)
  k <- length(arms)
  cols <- if (j$palette == "grey") rep("black", k) else c("black", "red3", "blue3")[1:k]
  times <- seq(0, j$x_max, by = j$x_step)
  par(mar = c(4 + 1.2 * (k + 2), 6, 1, 1), cex = j$font_scale)
  pargs <- list(fit, mark.time = TRUE, lty = 1:k, col = cols, xlim = c(0, j$x_max), xaxt = "n", lwd = 1.5,
       xlab = "", ylab = if (j$axis_titles) "Survival probability" else "", ylim = if (j$percent) c(0, 100) else c(0, 1))
  if (j$percent) pargs$fun <- function(s) s * 100
  do.call(plot, pargs)
  axis(1, at = times)
  if (j$axis_titles) mtext("Months", side = 1, line = 2.5, cex = j$font_scale)
  if (j$legend != "none") legend(if (j$legend == "inside") "bottomleft" else "topright", legend = arms, lty = 1:k,
                                 col = cols, bty = if (j$seed %% 2) "n" else "o")
  if (j$risk_table) {
    mtext("Number at risk", side = 1, line = 4, at = -0.02 * j$x_max, adj = 1, font = 2, cex = j$font_scale)
    for (i in seq_len(k)) {
      n <- summary(fit[i], times = times, extend = TRUE)$n.risk
      mtext(arms[i], side = 1, line = 4 + 1.2 * i, at = -(if (j$seed %% 4 == 0) 0.02 else 0.07) * j$x_max, adj = 1, cex = j$font_scale)
      mtext(n, side = 1, line = 4 + 1.2 * i, at = times, cex = j$font_scale)
    }
  }
}

draw_rms <- function(j, d, arms) {
  suppressPackageStartupMessages(library(rms))
  d$arm <- factor(d$arm, levels = arms)
  k <- length(arms)
  fit <- if (k > 1) npsurv(Surv(time, event) ~ arm, data = d) else npsurv(Surv(time, event) ~ 1, data = d)
  # y.n.risk = "auto" prints the numbers below the axis title, one line per arm: room for all of them
  # (with 5 + k lines they were cut by the image edge or fell off it, while the truth said "table")
  auto <- j$seed %% 2 == 1
  par(mar = c(if (auto) 7 + 2 * k else 5 + k, 6, 1, 1), cex = j$font_scale)
  sargs <- list(fit, n.risk = j$risk_table, time.inc = j$x_step, xlim = c(0, j$x_max),
           conf = if (j$conf_int) "bands" else "none", levels.only = TRUE, lty = 1:k,
           col = if (j$palette == "grey") "black" else c("black", "red3", "blue3")[1:k],
           xlab = if (j$axis_titles) "Months" else "", ylab = if (j$axis_titles) "Survival Probability" else "",
           label.curves = j$legend != "none", sep.n.risk = 0.045, adj.n.risk = 0.5, cex.n.risk = 0.8)
  if (auto) sargs$y.n.risk <- "auto"
  do.call(survplot, sargs)
}

for (j in jobs) {
  d <- read.csv(j$ipd, stringsAsFactors = FALSE)
  arms <- unique(d$arm)
  d$arm <- factor(d$arm, levels = arms)
  w <- j$width_px
  h <- round(w * j$aspect * (if (j$risk_table) 1.2 else 1.0))
  res <- max(40, round(w / 7))
  ok <- tryCatch({
    if (endsWith(j$out, ".pdf")) pdf(j$out, width = 7, height = 7 * h / w) else png(j$out, width = w, height = h, res = res)
    if (startsWith(j$look, "survminer")) draw_survminer(j, d, arms)
    else if (j$look == "base_r") draw_base(j, d, arms)
    else if (j$look == "rms") draw_rms(j, d, arms)
    dev.off()
    TRUE
  }, error = function(e) {
    try(dev.off(), silent = TRUE)
    message(sprintf("%s: %s", j$out, conditionMessage(e)))
    FALSE
  })
}
