#!/usr/bin/env Rscript
# Independent reference implementation of the metric definitions now in docs/metrics.md,
# written from the spec's text (and the decisions where it was silent), not from the pipeline code.
#
# Usage: Rscript tests/reference/reference-metrics.R <data_dir> <out_dir> [as_of YYYY-MM-DD]
#
# Inputs: clean canonical CSVs (groups.csv, members.csv, optional channels.csv,
# messages.csv or activity.csv, orders.csv). Outputs: plain UTF-8 CSVs (no BOM), numbers
# with sprintf('%.15g'), NA as empty. Requires base R and the `survival` package only.

suppressPackageStartupMessages(library(survival))
invisible(suppressWarnings(Sys.setlocale("LC_CTYPE", "C.UTF-8")))
options(stringsAsFactors = FALSE, warn = 1)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) {
  stop("usage: Rscript reference-metrics.R <data_dir> <out_dir> [as_of YYYY-MM-DD]")
}
data_dir <- args[[1]]
out_dir <- args[[2]]
as_of_arg <- if (length(args) >= 3 && nzchar(args[[3]])) args[[3]] else NA_character_
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

u8 <- function(x) { Encoding(x) <- "UTF-8"; x }

# ---------------------------------------------------------------- reading ----------------

read_in <- function(name) {
  path <- file.path(data_dir, name)
  if (!file.exists(path)) return(NULL)
  d <- read.csv(path, colClasses = "character", na.strings = "", encoding = "UTF-8",
                check.names = FALSE, strip.white = TRUE)
  names(d) <- trimws(sub("^\ufeff", "", names(d)))
  for (j in seq_along(d)) {
    v <- trimws(d[[j]])
    v[!is.na(v) & v == ""] <- NA
    d[[j]] <- v
  }
  d
}
col <- function(d, name) if (name %in% names(d)) d[[name]] else rep(NA_character_, nrow(d))
day <- function(x) as.Date(substr(x, 1, 10))

parse_amount <- function(x) {
  x <- gsub(",", "", trimws(x), fixed = TRUE)
  wan <- !is.na(x) & grepl("\u4e07$", x)
  v <- suppressWarnings(as.numeric(sub("\u4e07$", "", x)))
  v[wan] <- v[wan] * 10000
  v
}
is_true_flag <- function(x) {
  y <- tolower(trimws(x))
  !is.na(y) & y %in% u8(c("\u662f", "true", "1", "yes", "y"))
}

# ---------------------------------------------------------------- label maps --------------

channel_map <- list(
  guide = c("guide", "\u5bfc\u8d2d", "\u5bfc\u8d2d\u9080\u8bf7", "\u95e8\u5e97\u5bfc\u8d2d",
            "\u95e8\u5e97\u5bfc\u8d2d\u9080\u8bf7", "\u5e97\u5458\u9080\u8bf7", "store guide"),
  material = c("material", "\u7269\u6599", "\u7269\u6599\u4e8c\u7ef4\u7801", "\u6d77\u62a5",
               "\u4e8c\u7ef4\u7801", "\u684c\u5361", "\u5305\u88f9\u5361", "\u53f0\u5361",
               "printed material"),
  official_account = c("official_account", "\u516c\u4f17\u53f7", "\u516c\u4f17\u53f7\u83dc\u5355",
                       "\u516c\u4f17\u53f7\u56fe\u6587", "\u516c\u4f17\u53f7\u6587\u7ae0",
                       "official account"),
  invite = c("invite", "\u9080\u8bf7", "\u597d\u53cb\u9080\u8bf7", "\u8001\u5e26\u65b0",
             "friend invite"),
  other = c("other", "\u5176\u4ed6", "\u5176\u5b83")
)
type_map <- list(
  interest = c("interest", "\u5174\u8da3\u7231\u597d\u7c7b", "\u5174\u8da3\u7fa4",
               "\u5174\u8da3\u7231\u597d\u7fa4"),
  core_user = c("core_user", "\u6838\u5fc3\u7528\u6237\u7fa4", "\u79cd\u5b50\u7528\u6237\u7fa4",
                "\u4ea7\u54c1\u53cd\u9988\u7fa4", "core users"),
  learning = c("learning", "\u6280\u80fd\u5b66\u4e60/\u4e60\u60ef\u517b\u6210\u7c7b",
               "\u6280\u80fd\u5b66\u4e60\u7c7b", "\u4e60\u60ef\u517b\u6210\u7c7b",
               "\u6280\u80fd\u5b66\u4e60", "\u6253\u5361\u7fa4", "\u5b66\u4e60\u7fa4",
               "learning & habits"),
  conversion = c("conversion", "\u4ea7\u54c1\u8f6c\u5316\u7c7b", "\u8f6c\u5316\u578b",
                 "\u8f6c\u5316\u7fa4", "\u8bfe\u7a0b\u8bd5\u542c\u7fa4", "\u8bd5\u542c\u7fa4",
                 "\u8bb2\u5ea7\u7fa4"),
  industry = c("industry", "\u884c\u4e1a\u4ea4\u6d41\u7c7b", "\u884c\u4e1a\u7fa4",
               "\u884c\u4e1a\u4ea4\u6d41\u7fa4"),
  welfare = c("welfare", "\u798f\u5229\u578b", "\u798f\u5229\u7fa4", "perks"),
  service = c("service", "\u670d\u52a1\u578b", "\u670d\u52a1\u7fa4", "\u552e\u540e\u7fa4")
)
make_lookup <- function(m) {
  keys <- rep(names(m), lengths(m))
  names(keys) <- u8(tolower(unlist(m, use.names = FALSE)))
  keys
}
channel_lookup <- make_lookup(channel_map)
type_lookup <- make_lookup(type_map)
CHANNELS <- sort(names(channel_map), method = "radix")

map_channel <- function(x) {  # NA stays NA; any other non-empty label -> other
  y <- tolower(trimws(x))
  k <- unname(channel_lookup[y])
  k[is.na(k) & !is.na(y) & y != ""] <- "other"
  k
}
map_type <- function(x) {     # unknown label -> a type of its own (trimmed label)
  t <- trimws(x)
  k <- unname(type_lookup[tolower(t)])
  ifelse(is.na(k), t, k)
}

# ---------------------------------------------------------------- statistics --------------

wilson <- function(x, n) {
  if (is.na(n) || n == 0) return(c(rate = NA_real_, lower = NA_real_, upper = NA_real_))
  ci <- suppressWarnings(prop.test(x, n, correct = FALSE)$conf.int)
  c(rate = x / n, lower = ci[1], upper = ci[2])
}
km_fit <- function(time, event) survfit(Surv(time, event) ~ 1, conf.type = "log-log")
km_rows <- function(fit) {
  data.frame(day = fit$time, at_risk = fit$n.risk, events = fit$n.event, survival = fit$surv,
             lower = fit$lower, upper = fit$upper, censored = fit$n.censor)
}
# S(d) read with summary(times = d, extend = FALSE); NA beyond the last observed time.
km_at <- function(fit, d) {
  # (summary() errors when every requested time is beyond the last one: all NA then)
  s <- tryCatch(summary(fit, times = d, extend = FALSE), error = function(e) NULL)
  if (is.null(s)) return(list(surv = rep(NA_real_, length(d)), lower = rep(NA_real_, length(d)),
                              upper = rep(NA_real_, length(d))))
  i <- match(d, s$time)
  list(surv = s$surv[i], lower = s$lower[i], upper = s$upper[i])
}
# Number at risk at day d (the subjects still followed at d): summary(times = d)$n.risk, with
# extend = TRUE so that past the last observed time it is 0, not missing.
km_at_risk <- function(fit, d) summary(fit, times = d, extend = TRUE)$n.risk

# ---------------------------------------------------------------- output ------------------

fmt_col <- function(v) {
  if (inherits(v, "Date")) v <- format(v, "%Y-%m-%d")
  if (is.logical(v)) v <- as.numeric(v)
  if (is.numeric(v)) {
    out <- ifelse(is.na(v), "", sprintf("%.15g", v))
    out[!is.na(v) & v == 0] <- "0"  # no "-0"
    return(out)
  }
  v <- as.character(v)
  v[is.na(v)] <- ""
  needs <- grepl("[\",\r\n]", v)
  v[needs] <- paste0("\"", gsub("\"", "\"\"", v[needs], fixed = TRUE), "\"")
  v
}
write_out <- function(df, name) {
  lines <- paste(names(df), collapse = ",")
  if (nrow(df) > 0) {
    cols <- lapply(df, fmt_col)
    lines <- c(lines, do.call(paste, c(cols, sep = ",")))
  }
  con <- file(file.path(out_dir, name), open = "wb")
  on.exit(close(con))
  writeLines(enc2utf8(lines), con, sep = "\n", useBytes = TRUE)
}
empty_df <- function(cols) {
  as.data.frame(setNames(replicate(length(cols), logical(0), simplify = FALSE), cols))
}

# ---------------------------------------------------------------- inputs ------------------

groups <- read_in("groups.csv")
members <- read_in("members.csv")
channels <- read_in("channels.csv")
messages <- read_in("messages.csv")
activity_in <- if (is.null(messages)) read_in("activity.csv") else NULL
orders <- read_in("orders.csv")
if (is.null(groups) || is.null(members)) stop("groups.csv and members.csv are required")
has_activity <- !is.null(messages) || !is.null(activity_in)
has_orders <- !is.null(orders)

# Daily activity: (date, group_id, member_id, n). messages.csv is counted per day; activity.csv
# is taken as given (rows whose `messages` is 0 do not count as activity; empty `messages` = 1).
if (!is.null(messages)) {
  act <- data.frame(date = day(messages$sent_at), group_id = messages$group_id,
                    member_id = messages$member_id, n = 1)
} else if (!is.null(activity_in)) {
  nmsg <- suppressWarnings(as.numeric(col(activity_in, "messages")))
  nmsg[is.na(nmsg)] <- 1
  act <- data.frame(date = day(activity_in$date), group_id = activity_in$group_id,
                    member_id = activity_in$member_id, n = nmsg)
  act <- act[act$n > 0, , drop = FALSE]
} else {
  act <- data.frame(date = as.Date(character(0)), group_id = character(0),
                    member_id = character(0), n = numeric(0))
}

# ---------------------------------------------------------------- as_of (T) ---------------

if (!is.na(as_of_arg)) {
  T0 <- as.Date(as_of_arg)
} else {
  all_days <- c(day(groups$created_at), day(col(groups, "dissolved_at")),
                day(members$joined_at), day(col(members, "left_at")), act$date)
  if (has_orders) all_days <- c(all_days, day(orders$ordered_at))
  T0 <- max(all_days, na.rm = TRUE)
}
Tn <- as.numeric(T0)

# ---------------------------------------------------------------- groups ------------------

g <- data.frame(group_id = groups$group_id, group_type = map_type(groups$type),
                created = day(groups$created_at), dissolved_d = day(col(groups, "dissolved_at")))
g <- g[g$created <= T0, , drop = FALSE]
g <- g[order(g$group_id, method = "radix"), , drop = FALSE]

# ---------------------------------------------------------------- memberships -------------

staff_ids <- unique(members$member_id[is_true_flag(col(members, "is_staff"))])
m <- data.frame(member_id = members$member_id, group_id = members$group_id,
                joined_at = members$joined_at, join = day(members$joined_at),
                left_d = day(col(members, "left_at")),
                channel_raw = col(members, "channel"), state = col(members, "state"))
m <- m[!(m$member_id %in% staff_ids) & m$join <= T0, , drop = FALSE]
m$mid <- seq_len(nrow(m))
m$left_event <- !is.na(m$left_d) & m$left_d <= T0
m$end <- as.Date(ifelse(m$left_event, m$left_d, T0), origin = "1970-01-01")
m$tenure <- as.numeric(m$end - m$join)
m$age <- Tn - as.numeric(m$join)             # T - date(joined_at)
# Channel: `channel` column; else `state` via channels.csv; else other.
ch <- map_channel(m$channel_raw)
if (!is.null(channels) && nrow(channels) > 0) {
  st_ch <- map_channel(channels$channel)
  names(st_ch) <- channels$state
  via_state <- unname(st_ch[m$state])
  ch[is.na(ch)] <- via_state[is.na(ch)]
}
ch[is.na(ch)] <- "other"
m$channel <- ch
m$cohort <- substr(m$joined_at, 1, 7)

# Activity: non-staff senders, dated on or before T.
act <- act[!is.na(act$date) & act$date <= T0 & !(act$member_id %in% staff_ids), , drop = FALSE]
if (nrow(act) > 0) {
  act <- aggregate(n ~ date + group_id + member_id, data = act, FUN = sum)
}

# Message days per membership, only while the membership lasts: [join, end].
ma <- merge(m[, c("mid", "group_id", "member_id", "join", "end")],
            act[, c("group_id", "member_id", "date")], by = c("group_id", "member_id"))
ma <- ma[ma$date >= ma$join & ma$date <= ma$end, , drop = FALSE]
ma$offset <- as.numeric(ma$date - ma$join)
has_msg_in <- function(lo, hi) {  # logical per membership: a message on offsets [lo, hi)
  ids <- unique(ma$mid[ma$offset >= lo & ma$offset < hi])
  m$mid %in% ids
}
m$activated <- has_msg_in(0, 7)

# Orders: non-refunded, dated <= T; with group_id -> memberships in that group, else every
# membership of the member; offset = order date - join date, must be >= 0.
if (has_orders) {
  o <- data.frame(order_id = orders$order_id, member_id = orders$member_id,
                  group_id = col(orders, "group_id"), odate = day(orders$ordered_at),
                  amount = parse_amount(orders$amount),
                  refunded = is_true_flag(col(orders, "refunded")))
  o <- o[!o$refunded & !is.na(o$odate) & o$odate <= T0, , drop = FALSE]
  mcols <- m[, c("mid", "member_id", "group_id", "join")]
  o_g <- merge(o[!is.na(o$group_id), ], mcols, by = c("member_id", "group_id"))
  o_ng <- merge(o[is.na(o$group_id), setdiff(names(o), "group_id")], mcols, by = "member_id")
  mo <- rbind(o_g[, c("mid", "order_id", "odate", "amount", "join")],
              o_ng[, c("mid", "order_id", "odate", "amount", "join")])
  mo$offset <- as.numeric(mo$odate - mo$join)
  mo <- mo[mo$offset >= 0, , drop = FALSE]
} else {
  mo <- data.frame(mid = integer(0), order_id = character(0), odate = as.Date(character(0)),
                   amount = numeric(0), join = as.Date(character(0)), offset = numeric(0))
}
n_orders <- tabulate(mo$mid, nbins = nrow(m))
m$converted30 <- m$mid %in% mo$mid[mo$offset < 30]
m$gmv90 <- vapply(split(mo$amount[mo$offset < 90], factor(mo$mid[mo$offset < 90],
                                                          levels = m$mid)), sum, 0)
m$n_orders <- n_orders

# ---------------------------------------------------------------- channel summary ---------

chan_rows <- list()
surv_rows <- list()
for (ck in CHANNELS) {
  mc <- m[m$channel == ck, , drop = FALSE]
  # activation
  el <- mc$age >= 7
  a <- if (has_activity) wilson(sum(mc$activated[el]), sum(el)) else c(NA, NA, NA)
  # retention (KM)
  ret <- list(surv = rep(NA_real_, 3), lower = rep(NA_real_, 3), upper = rep(NA_real_, 3))
  at_risk_d30 <- 0
  if (nrow(mc) > 0) {
    fit <- km_fit(mc$tenure, as.numeric(mc$left_event))
    ret <- km_at(fit, c(7, 30, 90))
    at_risk_d30 <- km_at_risk(fit, 30)
    surv_rows[[ck]] <- cbind(data.frame(channel = ck), km_rows(fit))
  }
  # conversion 30 d
  el30 <- mc$age >= 30
  cv <- if (has_orders) wilson(sum(mc$converted30[el30]), sum(el30)) else c(NA, NA, NA)
  # repurchase
  buyers <- mc$n_orders >= 1
  rp <- if (has_orders) wilson(sum(mc$n_orders[buyers] >= 2), sum(buyers)) else c(NA, NA, NA)
  # GMV per joiner 90 d
  el90 <- mc$age >= 90
  gv <- mc$gmv90[el90]
  gn <- length(gv)
  gmean <- if (has_orders && gn > 0) mean(gv) else NA_real_
  glo <- gup <- NA_real_
  if (has_orders && gn >= 2) {
    half <- qnorm(0.975) * sd(gv) / sqrt(gn)
    glo <- max(0, gmean - half)
    gup <- gmean + half
  }
  chan_rows[[ck]] <- data.frame(
    channel = ck, joins = nrow(mc),
    activation_rate = a[[1]], retention_d7 = ret$surv[1], retention_d30 = ret$surv[2],
    retention_d90 = ret$surv[3], conversion_30d = cv[[1]], repurchase_rate = rp[[1]],
    gmv_per_joiner_90d = gmean,
    activation_n = if (has_activity) sum(el) else NA, activation_lower = a[[2]],
    activation_upper = a[[3]],
    retention_d7_lower = ret$lower[1], retention_d7_upper = ret$upper[1],
    retention_d30_lower = ret$lower[2], retention_d30_upper = ret$upper[2],
    retention_d90_lower = ret$lower[3], retention_d90_upper = ret$upper[3],
    conversion_30d_n = if (has_orders) sum(el30) else NA, conversion_30d_lower = cv[[2]],
    conversion_30d_upper = cv[[3]],
    repurchase_n = if (has_orders) sum(buyers) else NA, repurchase_lower = rp[[2]],
    repurchase_upper = rp[[3]],
    gmv_n = if (has_orders) gn else NA, gmv_lower = glo, gmv_upper = gup,
    at_risk_d30 = at_risk_d30)
}
write_out(do.call(rbind, chan_rows), "channel_summary.csv")
surv_cols <- c("channel", "day", "at_risk", "events", "survival", "lower", "upper", "censored")
write_out(if (length(surv_rows)) do.call(rbind, surv_rows) else empty_df(surv_cols),
          "membership_survival.csv")

# ---------------------------------------------------------------- weekly activity retention

weekly <- function(key) {
  rows <- list()
  if (!has_activity || nrow(m) == 0) return(rows)
  for (k in 0:12) {
    el <- m$age >= 7 * (k + 1) - 1
    ret <- has_msg_in(7 * k, 7 * k + 7)
    for (v in sort(unique(key[el]), method = "radix")) {
      sel <- el & key == v
      w <- wilson(sum(ret[sel]), sum(sel))
      rows[[length(rows) + 1]] <- data.frame(key = v, week = k, eligible = sum(sel),
                                             retained = sum(ret[sel]), rate = w[[1]],
                                             lower = w[[2]], upper = w[[3]])
    }
  }
  rows
}
finish_weekly <- function(rows, keyname) {
  cols <- c(keyname, "week", "eligible", "retained", "rate", "lower", "upper")
  if (!length(rows)) return(empty_df(cols))
  d <- do.call(rbind, rows)
  d <- d[order(d$key, d$week, method = "radix"), , drop = FALSE]
  names(d)[1] <- keyname
  d
}
write_out(finish_weekly(weekly(m$channel), "channel"), "activity_retention.csv")
write_out(finish_weekly(weekly(m$cohort), "cohort"), "cohort_retention.csv")

# ---------------------------------------------------------------- per-group metrics -------

METRICS <- c("size", "weekly_active_ratio", "messages_per_member_week", "activation_rate",
             "conversion_30d", "retained_d30")
KM30 <- c("at_risk_d30", "km_retained_d30", "km_retained_d30_lower", "km_retained_d30_upper")
gr <- g
ng <- nrow(gr)
for (v in c(METRICS, "lifespan_days", "event", "days_silent", KM30)) gr[[v]] <- rep(NA_real_, ng)
gr$last_active_date <- gr$created
gr$last_order <- as.Date(rep(NA_character_, ng))
mo$group_id <- m$group_id[mo$mid]
for (i in seq_len(ng)) {
  gid <- gr$group_id[i]
  mg <- m[m$group_id == gid, , drop = FALSE]
  ag <- act[act$group_id == gid, , drop = FALSE]
  size <- sum(!mg$left_event)
  gr$size[i] <- size
  if (has_activity && size > 0) {
    gr$weekly_active_ratio[i] <- length(unique(ag$member_id[ag$date > T0 - 7])) / size
    gr$messages_per_member_week[i] <- sum(ag$n[ag$date > T0 - 28]) / size / 4
  }
  if (nrow(ag) > 0) gr$last_active_date[i] <- max(gr$created[i], max(ag$date))
  el <- mg$age >= 7
  if (has_activity && any(el)) gr$activation_rate[i] <- mean(mg$activated[el])
  el30 <- mg$age >= 30
  if (has_orders && any(el30)) gr$conversion_30d[i] <- mean(mg$converted30[el30])
  if (any(el30)) {
    left30 <- mg$left_event[el30] & as.numeric(mg$left_d[el30] - mg$join[el30]) <= 30
    gr$retained_d30[i] <- mean(!left30)
  }
  # the group's Kaplan-Meier S(30) of its memberships with its band, and its n at risk at day 30
  # (a group without memberships has none of them)
  if (nrow(mg) > 0) {
    fit <- km_fit(mg$tenure, as.numeric(mg$left_event))
    k <- km_at(fit, 30)
    gr$at_risk_d30[i] <- km_at_risk(fit, 30)
    gr$km_retained_d30[i] <- k$surv
    gr$km_retained_d30_lower[i] <- k$lower
    gr$km_retained_d30_upper[i] <- k$upper
  }
  od <- mo$odate[mo$group_id == gid]
  if (length(od)) gr$last_order[i] <- max(od)
}
gr$dissolved <- !is.na(gr$dissolved_d) & gr$dissolved_d <= T0
gr$days_silent <- Tn - as.numeric(gr$last_active_date)
gr$silent <- has_activity & !gr$dissolved & gr$days_silent >= 14
end_d <- ifelse(gr$dissolved, as.numeric(gr$dissolved_d),
                ifelse(gr$silent, as.numeric(gr$last_active_date), Tn))
gr$lifespan_days <- end_d - as.numeric(gr$created)
gr$event <- as.numeric(gr$dissolved | gr$silent)
gr$status <- ifelse(gr$dissolved, "dissolved", ifelse(gr$silent, "zombie", "alive"))

# ---------------------------------------------------------------- lifespans ---------------

types <- sort(unique(gr$group_type), method = "radix")
gs_rows <- list()
ls_rows <- list()
for (t in types) {
  gt <- gr[gr$group_type == t, , drop = FALSE]
  fit <- km_fit(gt$lifespan_days, gt$event)
  gs_rows[[t]] <- cbind(data.frame(group_type = t), km_rows(fit))
  q <- quantile(fit, probs = 0.5)
  ls_rows[[t]] <- data.frame(group_type = t, groups = nrow(gt), deaths = sum(gt$event),
                             median_days = unname(q$quantile[1]),
                             median_lower = unname(q$lower[1]),
                             median_upper = unname(q$upper[1]),
                             dissolved = sum(gt$status == "dissolved"),
                             zombies = sum(gt$status == "zombie"),
                             alive = sum(gt$status == "alive"))
}
write_out(if (length(gs_rows)) do.call(rbind, gs_rows) else
            empty_df(c("group_type", "day", "at_risk", "events", "survival", "lower", "upper",
                       "censored")), "group_survival.csv")
write_out(if (length(ls_rows)) do.call(rbind, ls_rows) else
            empty_df(c("group_type", "groups", "deaths", "median_days", "median_lower",
                       "median_upper", "dissolved", "zombies", "alive")), "lifespan_summary.csv")

# Log-rank across types (survdiff, rho = 0).
lr_cols <- c("group_type", "groups", "observed", "expected", "chisq", "df", "p")
if (length(types) >= 2) {
  sd_fit <- survdiff(Surv(lifespan_days, event) ~ group_type, data = gr)
  lv <- sub("^group_type=", "", names(sd_fit$n))
  df_lr <- sum(sd_fit$exp > 0) - 1
  p_lr <- if (df_lr > 0) pchisq(sd_fit$chisq, df_lr, lower.tail = FALSE) else NA_real_
  lr <- data.frame(group_type = lv, groups = as.numeric(sd_fit$n), observed = sd_fit$obs,
                   expected = sd_fit$exp, chisq = sd_fit$chisq, df = df_lr, p = p_lr)
  lr <- lr[order(lr$group_type, method = "radix"), , drop = FALSE]
} else if (length(types) == 1) {
  # One type: nothing to compare; observed = expected = deaths, test undefined.
  lr <- data.frame(group_type = types, groups = ng, observed = sum(gr$event),
                   expected = sum(gr$event), chisq = NA_real_, df = 0, p = NA_real_)
} else {
  lr <- empty_df(lr_cols)
}
write_out(lr, "lifespan_logrank.csv")

# ---------------------------------------------------------------- benchmarks & ranks ------

bench_rows <- list()
flags <- replicate(ng, character(0), simplify = FALSE)
for (v in METRICS) gr[[paste0("rank_", v)]] <- rep(NA_real_, ng)
for (t in types) {
  for (v in METRICS) {
    sel <- which(gr$group_type == t & !gr$dissolved & !is.na(gr[[v]]))
    if (!length(sel)) next
    x <- gr[[v]][sel]
    q <- quantile(x, c(0.25, 0.5, 0.75), type = 7, names = FALSE)
    bench_rows[[length(bench_rows) + 1]] <- data.frame(group_type = t, metric = v,
                                                       groups = length(x), p25 = q[1],
                                                       p50 = q[2], p75 = q[3])
    n <- length(x)
    gr[[paste0("rank_", v)]][sel] <- if (n == 1) 0 else
      (rank(x, ties.method = "min") - 1) / (n - 1)
    for (j in sel[x < q[1]]) flags[[j]] <- c(flags[[j]], paste0("below_p25:", v))
  }
}
bench <- if (length(bench_rows)) do.call(rbind, bench_rows) else
  empty_df(c("group_type", "metric", "groups", "p25", "p50", "p75"))
if (nrow(bench)) bench <- bench[order(bench$group_type, bench$metric, method = "radix"), ]
write_out(bench, "type_benchmarks.csv")

# Rule flags.
for (i in seq_len(ng)) {
  if (gr$dissolved[i]) next
  if (gr$group_type[i] == "core_user" && gr$size[i] > 100)
    flags[[i]] <- c(flags[[i]], "core_user_over_100")
  if (has_activity && !gr$silent[i] && gr$days_silent[i] >= 7)
    flags[[i]] <- c(flags[[i]], "quiet")
  if (has_orders && gr$group_type[i] == "conversion" && Tn - as.numeric(gr$created[i]) > 21 &&
      (is.na(gr$last_order[i]) || Tn - as.numeric(gr$last_order[i]) >= 7))
    flags[[i]] <- c(flags[[i]], "conversion_overdue")
}
gr$flags <- vapply(flags, function(f) paste(sort(unique(f), method = "radix"), collapse = ";"),
                   "")

write_out(gr[, c("group_id", "group_type", "size", "weekly_active_ratio", "lifespan_days",
                 "status", "flags", "messages_per_member_week", "activation_rate",
                 "conversion_30d", "retained_d30", "rank_size", "rank_weekly_active_ratio",
                 "rank_messages_per_member_week", "rank_activation_rate",
                 "rank_conversion_30d", "rank_retained_d30", "last_active_date",
                 "days_silent", KM30)], "groups.csv")
