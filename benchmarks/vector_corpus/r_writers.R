# The R writers of the vector corpus (run by make_corpus.py): base plot.survfit through pdf(),
# cairo_pdf() and svg(), and survminer's ggsurvplot with a risk table saved by ggsave().
# Usage: Rscript r_writers.R CACHE_DIR   (reads CACHE_DIR/ipd/<family>__<case>.csv)
suppressMessages({
  library(survival)
  library(survminer)
})

args <- commandArgs(trailingOnly = TRUE)
out <- args[[1]]
files <- list.files(file.path(out, "ipd"), pattern = "^(r_|survminer_).*\\.csv$", full.names = TRUE)

fit_of <- function(d) {
  d$arm <- factor(d$arm, levels = unique(d$arm))
  if (nlevels(d$arm) == 1) survfit(Surv(time, event) ~ 1, data = d) else survfit(Surv(time, event) ~ arm, data = d)
}

base_plot <- function(d, fit, seed) {
  set.seed(seed)
  k <- length(unique(d$arm))
  plot(fit, col = c("black", "red3", "blue3")[seq_len(k)], lty = 1, mark.time = TRUE,
       xlab = if (runif(1) < 0.5) "Months" else "", ylab = if (runif(1) < 0.5) "Survival probability" else "")
  if (k > 1) legend("topright", legend = unique(d$arm), col = c("black", "red3", "blue3")[seq_len(k)], lty = 1)
}

for (f in files) {
  key <- sub("\\.csv$", "", basename(f))
  family <- sub("__.*$", "", key)
  case <- sub("^.*__", "", key)
  d <- read.csv(f, stringsAsFactors = FALSE)
  fit <- fit_of(d)
  seed <- sum(utf8ToInt(case))
  target <- file.path(out, family, case)
  if (family == "r_pdf") {
    pdf(paste0(target, ".pdf"), width = 7, height = 5)
    base_plot(d, fit, seed)
    invisible(dev.off())
  } else if (family == "r_cairo_pdf") {
    cairo_pdf(paste0(target, ".pdf"), width = 7, height = 5)
    base_plot(d, fit, seed)
    invisible(dev.off())
  } else if (family == "r_svg") {
    svg(paste0(target, ".svg"), width = 7, height = 5)
    base_plot(d, fit, seed)
    invisible(dev.off())
  } else if (family == "survminer_pdf") {
    set.seed(seed)
    d$arm <- factor(d$arm, levels = unique(d$arm))
    labs <- levels(d$arm)
    p <- ggsurvplot(fit, data = d, risk.table = TRUE, conf.int = runif(1) < 0.5, censor = TRUE,
                    legend.labs = if (length(labs) > 1) labs else NULL,
                    legend.title = "", ggtheme = theme_survminer())
    times <- sort(unique(p$table$data$time))
    writeLines(format(times, digits = 17), paste0(target, ".times"))
    ggsave(paste0(target, ".pdf"), plot = survminer:::.build_ggsurvplot(p), width = 7, height = 6)
  }
}
