# Kaplan-Meier figures drawn by R itself, for tests/test_pdf.py (PDF extraction from non-matplotlib writers).
# Run from tests/reference/:  Rscript vector_km_figures.R
# Writes vector_km_base.pdf (base graphics plot.survfit, '+' censor marks drawn inline),
# vector_km_ggplot.pdf (ggplot2 geom_step + '+' points, grey panel, white grid),
# vector_km_minimal.pdf (the same with theme_minimal: no tick marks, calibrated from grid lines),
# vector_km_one_arm_ci.pdf (base graphics, Control arm alone: R draws its dashed 95% limits),
# vector_km_ipd.csv (the simulated IPD, arm,time,event) and vector_km_figures.json (versions, calls).
suppressMessages({library(survival); library(ggplot2)})
set.seed(20240101)
n <- 60
arm <- rep(c("Control", "Drug"), each = n)
ev <- rexp(2 * n, rate = ifelse(arm == "Control", log(2) / 10, log(2) / 16))
cens <- runif(2 * n, 6, 30)
time <- round(pmin(ev, cens) * 30) / 30
event <- as.integer(ev <= cens)
fit <- survfit(Surv(time, event) ~ arm)

one_arm_call <- 'plot(survfit(Surv(time, event) ~ 1, subset = arm == "Control"), mark.time = TRUE)'
pdf("vector_km_one_arm_ci.pdf", width = 6, height = 4.5)
plot(survfit(Surv(time, event) ~ 1, subset = arm == "Control"), mark.time = TRUE, xlab = "Months")
invisible(dev.off())

base_call <- 'plot(fit, col = c("#1F77B4", "#D62728"), mark.time = TRUE, xaxt = "n"); axis(1, at = seq(0, 30, 6)); legend("topright", c("Control", "Drug"), col = c("#1F77B4", "#D62728"), lty = 1)'
pdf("vector_km_base.pdf", width = 6, height = 4.5)
plot(fit, col = c("#1F77B4", "#D62728"), mark.time = TRUE, xlab = "Months", ylab = "Overall survival", xaxt = "n")
axis(1, at = seq(0, 30, 6))
legend("topright", legend = c("Control", "Drug"), col = c("#1F77B4", "#D62728"), lty = 1)
invisible(dev.off())

steps <- do.call(rbind, lapply(c("Control", "Drug"), function(a) {
  f <- survfit(Surv(time, event) ~ 1, subset = arm == a)
  data.frame(arm = a, time = c(0, f$time), surv = c(1, f$surv), n.censor = c(0, f$n.censor))
}))
marks <- steps[steps$n.censor > 0, ]
gg_call <- 'ggplot(steps, aes(time, surv * 100, colour = arm)) + geom_step() + geom_point(data = marks, shape = 3) + scale_x_continuous(breaks = seq(0, 30, 6)) + scale_y_continuous(breaks = seq(0, 100, 25), labels = function(v) paste0(v, "%"))'
g <- ggplot(steps, aes(time, surv * 100, colour = arm)) + geom_step() +
  geom_point(data = marks, shape = 3) +
  scale_x_continuous(breaks = seq(0, 30, 6)) +
  scale_y_continuous(breaks = seq(0, 100, 25), labels = function(v) paste0(v, "%")) +
  scale_colour_manual(values = c(Control = "#F8766D", Drug = "#00BFC4")) +
  labs(x = "Months", y = "Overall survival")
ggsave("vector_km_ggplot.pdf", g, width = 6, height = 4.5)
minimal_call <- paste(gg_call, "+ theme_minimal()")
ggsave("vector_km_minimal.pdf", g + theme_minimal(), width = 6, height = 4.5)

write.csv(data.frame(arm = arm, time = time, event = event), "vector_km_ipd.csv", row.names = FALSE)
meta <- sprintf('{\n  "R.version.string": "%s",\n  "survival": "%s",\n  "ggplot2": "%s",\n  "seed": 20240101,\n  "base_call": "%s",\n  "ggplot_call": "%s",\n  "minimal_call": "%s",\n  "one_arm_call": "%s",\n  "note": "times are whole days in months (round(t * 30) / 30); the PDFs are written by grDevices::pdf, which rounds coordinates to 0.01 pt"\n}\n',
  R.version.string, packageVersion("survival"), packageVersion("ggplot2"), gsub('"', '\\\\"', base_call), gsub('"', '\\\\"', gg_call), gsub('"', '\\\\"', minimal_call), gsub('"', '\\\\"', one_arm_call))
writeLines(meta, "vector_km_figures.json", sep = "")
