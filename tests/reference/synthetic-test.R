#!/usr/bin/env Rscript
# Synthetic check of reference-metrics.R against hand-counted values.
# Usage: Rscript tests/reference/synthetic-test.R   (run from the repository root)
# Covers: a member who rejoins, a same-day leave, a leave after T, staff (flagged on one row
# only) and staff messages, a sender not in members.csv, a message after leaving, data after T,
# refunded orders, orders without group_id, an order naming a group the member is not in,
# 万 amounts, state -> channels.csv, English/odd-case labels, an unknown type label, an empty
# group, and messages.csv vs activity.csv giving identical outputs.

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
script <- file.path(here, "reference-metrics.R")
T_ARG <- "2026-06-30"

w <- function(dir, name, lines) {
  con <- file(file.path(dir, name), open = "wb")
  writeLines(enc2utf8(lines), con, useBytes = TRUE)
  close(con)
}
make_data <- function(dir, activity = FALSE) {
  dir.create(dir, showWarnings = FALSE)
  w(dir, "groups.csv", c(
    "group_id,name,type,owner_id,store,region,created_at,dissolved_at",
    "S1,a,兴趣群,,,,2026-01-01 09:00:00,",
    "S2,b,Perks,,,,2026-02-01 09:00:00,2026-05-01 10:00:00",
    "S3,c,快闪群,,,,2026-03-01 09:00:00,",
    "S4,d,产品转化类,,,,2026-07-05 09:00:00,",
    "S5,e,核心用户群,,,,2026-05-01 09:00:00,",
    "S6,f, 兴趣爱好类 ,,,,2026-04-01 09:00:00,",
    "S7,g,INTEREST,,,,2026-04-15 09:00:00,",
    "S8,h,产品转化类,,,,2026-05-01 09:00:00,"))
  w(dir, "channels.csv", c("state,channel,store,staff_id,material,remark",
                           "st1,海报,,,,"))
  w(dir, "members.csv", c(
    "member_id,group_id,joined_at,left_at,channel,state,is_staff,inviter_id",
    "s1,S1,2026-01-01 09:00:00,,,,true,",
    "s1,S3,2026-03-01 09:00:00,,,,2,",
    "m1,S1,2026-01-10 10:00:00,2026-01-10 18:00:00,Store guide,,2,",
    "m1,S1,2026-02-01 10:00:00,,导购,,2,",
    "m2,S1,2026-01-15 10:00:00,2026-07-10 10:00:00,,st1,2,",
    "m3,S2,2026-02-05 10:00:00,2026-03-01 10:00:00,FRIEND INVITE ,,2,",
    "m4,S2,2026-02-10 10:00:00,,,unknownstate,2,",
    "m5,S3,2026-03-01 10:00:00,,直播,,2,",
    "m6,S5,2026-06-28 10:00:00,,official_account,,2,",
    "m7,S1,2026-07-01 10:00:00,,导购,,2,",
    "m8,S6,2026-04-01 10:00:00,,邀请,,2,",
    "m9,S6,2026-04-02 10:00:00,2026-04-05 10:00:00,好友邀请,,2,",
    "m10,S8,2026-05-02 10:00:00,,物料,,false,"))
  msgs <- c(
    "2026-06-29 10:00:00,S1,s1", "2026-01-10 12:00:00,S1,m1", "2026-01-20 12:00:00,S1,m1",
    "2026-02-09 12:00:00,S1,m1", "2026-06-25 08:00:00,S1,m2", "2026-06-25 09:00:00,S1,m2",
    "2026-06-25 23:59:59,S1,m2", "2026-06-26 10:00:00,S1,x9", "2026-03-05 10:00:00,S2,m3",
    "2026-02-12 10:00:00,S2,m4", "2026-07-02 10:00:00,S3,m5", "2026-06-29 10:00:00,S5,m6",
    "2026-06-20 10:00:00,S6,m8", "2026-05-02 11:00:00,S8,m10")
  if (!activity) {
    w(dir, "messages.csv", c("sent_at,group_id,member_id,msgtype", paste0(msgs, ",text")))
  } else {
    p <- do.call(rbind, strsplit(msgs, ","))
    key <- paste(substr(p[, 1], 1, 10), p[, 2], p[, 3], sep = ",")
    tab <- table(key)
    w(dir, "activity.csv", c("date,group_id,member_id,messages",
                             paste(names(tab), as.integer(tab), sep = ",")))
  }
  w(dir, "orders.csv", c(
    "order_id,member_id,group_id,ordered_at,amount,refunded,product",
    "O1,m1,,2026-01-12 10:00:00,100,否,",
    "O2,m1,S1,2026-02-15 10:00:00,1.5万,否,",
    "O3,m1,S1,2026-02-16 10:00:00,500,是,",
    "O4,m2,S2,2026-02-01 10:00:00,80,否,",
    "O5,m2,,2026-01-14 10:00:00,50,否,",
    "O6,m4,,2026-03-01 10:00:00,200,true,",
    "O7,m4,S2,2026-07-02 10:00:00,300,false,",
    "O8,m4,S2,2026-05-11 10:00:00,40,0,",
    "O9,m4,,2026-02-10 10:00:00,60,,",
    "O10,m10,,2026-06-25 10:00:00,99,否,"))
}

base <- tempfile("qunlens-ref-")
dir.create(base)
run <- function(data, out, as_of = T_ARG) {
  st <- system2("Rscript", c(shQuote(script), shQuote(data), shQuote(out), as_of))
  if (st != 0) stop("reference script failed")
}
make_data(file.path(base, "msg"))
make_data(file.path(base, "act"), activity = TRUE)
run(file.path(base, "msg"), file.path(base, "out_msg"))
run(file.path(base, "act"), file.path(base, "out_act"))

rd <- function(out, f) read.csv(file.path(base, out, f), colClasses = "character",
                                na.strings = "", encoding = "UTF-8", check.names = FALSE)
fails <- 0
chk <- function(what, got, want) {
  g <- suppressWarnings(as.numeric(got))
  ok <- if (is.na(want)) is.na(got) || got == "" else
    if (is.character(want)) identical(got, want) else isTRUE(abs(g - want) < 1e-9)
  if (!ok) { fails <<- fails + 1; cat("FAIL", what, "got", got, "want", want, "\n") }
}

# messages.csv and activity.csv must give identical files
for (f in list.files(file.path(base, "out_msg"))) {
  a <- readLines(file.path(base, "out_msg", f)); b <- readLines(file.path(base, "out_act", f))
  if (!identical(a, b)) { fails <- fails + 1; cat("FAIL messages vs activity differ:", f, "\n") }
}

cs <- rd("out_msg", "channel_summary.csv"); rownames(cs) <- cs$channel
C <- function(ch, col, want) chk(paste(ch, col), cs[ch, col], want)
C("guide", "joins", 2); C("guide", "activation_rate", 0.5); C("guide", "retention_d7", 0.5)
C("guide", "retention_d90", 0.5); C("guide", "conversion_30d", 1); C("guide", "repurchase_rate", 0.5)
C("guide", "repurchase_n", 2); C("guide", "gmv_per_joiner_90d", 15050)
C("guide", "gmv_lower", 15050 - qnorm(0.975) * 50); C("guide", "gmv_upper", 15050 + qnorm(0.975) * 50)
C("material", "joins", 2); C("material", "activation_rate", 0.5); C("material", "retention_d90", 1)
C("material", "conversion_30d", 0); C("material", "repurchase_rate", 0); C("material", "repurchase_n", 1)
C("material", "gmv_n", 1); C("material", "gmv_per_joiner_90d", 0); C("material", "gmv_lower", NA)
C("invite", "joins", 3); C("invite", "activation_rate", 0); C("invite", "activation_n", 3)
C("invite", "retention_d7", 2/3); C("invite", "retention_d30", 1/3); C("invite", "retention_d90", 1/3)
C("invite", "gmv_n", 2); C("invite", "gmv_lower", 0); C("invite", "gmv_upper", 0)
C("other", "joins", 2); C("other", "activation_rate", 0.5); C("other", "conversion_30d", 0.5)
C("other", "repurchase_rate", 1); C("other", "gmv_per_joiner_90d", 30); C("other", "gmv_lower", 0)
C("other", "gmv_upper", 30 + qnorm(0.975) * 30)
C("official_account", "joins", 1); C("official_account", "activation_rate", NA)
C("official_account", "activation_n", 0); C("official_account", "retention_d7", NA)
wl <- suppressWarnings(prop.test(1, 2, correct = FALSE))$conf.int
C("guide", "activation_lower", wl[1]); C("guide", "activation_upper", wl[2])

ar <- rd("out_msg", "activity_retention.csv")
r <- ar[ar$channel == "guide" & ar$week == "1", ]
chk("guide week1 eligible", r$eligible, 2); chk("guide week1 retained", r$retained, 1)
r <- ar[ar$channel == "official_account", ]
chk("official_account weekly rows", nrow(r), 0)
co <- rd("out_msg", "cohort_retention.csv")
r <- co[co$cohort == "2026-02" & co$week == "0", ]
chk("cohort 2026-02 w0 eligible", r$eligible, 3); chk("cohort 2026-02 w0 retained", r$retained, 1)

gr <- rd("out_msg", "groups.csv"); rownames(gr) <- gr$group_id
G <- function(g, col, want) chk(paste(g, col), gr[g, col], want)
chk("group ids", paste(gr$group_id, collapse = " "), "S1 S2 S3 S5 S6 S7 S8")
G("S1", "size", 2); G("S1", "weekly_active_ratio", 1); G("S1", "messages_per_member_week", 0.5)
G("S1", "last_active_date", "2026-06-26"); G("S1", "days_silent", 4); G("S1", "status", "alive")
G("S1", "lifespan_days", 180); G("S1", "activation_rate", 1/3); G("S1", "conversion_30d", 2/3)
G("S1", "retained_d30", 2/3); G("S1", "flags", NA); G("S1", "rank_size", 1)
G("S2", "status", "dissolved"); G("S2", "lifespan_days", 89); G("S2", "size", 1)
G("S2", "last_active_date", "2026-03-05"); G("S2", "activation_rate", 0.5)
G("S2", "retained_d30", 0.5); G("S2", "rank_size", NA); G("S2", "flags", NA)
G("S3", "group_type", "快闪群"); G("S3", "status", "zombie"); G("S3", "lifespan_days", 0)
G("S3", "days_silent", 121); G("S3", "rank_size", 0)
G("S5", "group_type", "core_user"); G("S5", "size", 1); G("S5", "weekly_active_ratio", 1)
G("S5", "messages_per_member_week", 0.25); G("S5", "activation_rate", NA); G("S5", "lifespan_days", 60)
G("S6", "group_type", "interest"); G("S6", "size", 1); G("S6", "weekly_active_ratio", 0)
G("S6", "messages_per_member_week", 0.25); G("S6", "retained_d30", 0.5); G("S6", "rank_size", 0.5)
G("S6", "flags", paste0("below_p25:activation_rate;below_p25:conversion_30d;",
                        "below_p25:messages_per_member_week;below_p25:retained_d30;",
                        "below_p25:weekly_active_ratio;quiet"))
G("S7", "size", 0); G("S7", "weekly_active_ratio", NA); G("S7", "status", "zombie")
G("S7", "lifespan_days", 0); G("S7", "flags", "below_p25:size"); G("S7", "rank_size", 0)
G("S8", "group_type", "conversion"); G("S8", "status", "zombie"); G("S8", "lifespan_days", 1)
G("S8", "flags", NA)

tb <- rd("out_msg", "type_benchmarks.csv")
r <- tb[tb$group_type == "interest" & tb$metric == "size", ]
chk("interest size n", r$groups, 3); chk("interest size p25", r$p25, 0.5); chk("p75", r$p75, 1.5)
r <- tb[tb$group_type == "interest" & tb$metric == "retained_d30", ]
chk("interest retained p25", r$p25, 0.5 + 0.25 * (2/3 - 0.5))
chk("benchmark type order", paste(unique(tb$group_type), collapse = " "),
    "conversion core_user interest 快闪群")

ls <- rd("out_msg", "lifespan_summary.csv"); rownames(ls) <- ls$group_type
chk("interest groups", ls["interest", "groups"], 3); chk("interest deaths", ls["interest", "deaths"], 1)
chk("welfare dissolved", ls["welfare", "dissolved"], 1)

# Log-rank recomputed directly from the hand-derived lifespans.
library(survival)
lt <- data.frame(type = c("interest", "welfare", "快闪群", "core_user", "interest", "interest", "conversion"),
                 t = c(180, 89, 0, 60, 90, 0, 1), e = c(0, 1, 1, 0, 0, 1, 1))
sd0 <- survdiff(Surv(t, e) ~ type, data = lt)
lr <- rd("out_msg", "lifespan_logrank.csv")
chk("logrank chisq", lr$chisq[1], sd0$chisq)
chk("logrank df", lr$df[1], sum(sd0$exp > 0) - 1)

ms <- rd("out_msg", "membership_survival.csv")
r <- ms[ms$channel == "invite", ]
chk("invite km days", paste(r$day, collapse = " "), "3 24 90")
chk("invite km surv at 24", r$survival[2], 1/3)

cat(if (fails == 0) "synthetic test: all checks passed\n" else sprintf("synthetic test: %d FAILED\n", fails))
unlink(base, recursive = TRUE)
quit(status = if (fails == 0) 0 else 1)
