# ACRO-R's API (AI-SDC/ACRO-R) in an Analyserom room: library(acro); acro_init(); acro_crosstab(...).
#
# ACRO-R calls Python's ACRO through reticulate; here each call runs the room's Python helper
# (`python3 -m analyserom_acro.rbridge`, see analyserom_acro/rbridge.py) once, with the columns the
# call uses written as CSV to the R session's tempdir() and a JSON request; the helper stages them
# for the control plane, which computes and checks the output, and keeps the session's outputs
# (pickled in tempdir()) until acro_finalise(). Tables come back as data frames laid out as
# ACRO-R's (row names the row labels, columns the column labels); models as their coefficient table.
# Not offered: acro_summarise (dplyr's summarise; use acro_pivot_table).

acroEnv <- new.env()
acroEnv$state <- NULL

acro_python <- function() Sys.getenv("ANALYSEROM_PYTHON", "/usr/bin/python3")

acro_call <- function(call, args = list(), data = NULL, command = NULL) {
  if (is.null(acroEnv$state) && call != "init") {
    stop("ACRO has not been initialised. Please first call acro_init()")
  }
  request <- list(call = call, args = args)
  if (!is.null(data)) {
    csv <- tempfile("acro-", fileext = ".csv")
    on.exit(unlink(csv), add = TRUE)
    utils::write.csv(data, csv, row.names = FALSE, na = "")
    request$data <- csv
  }
  if (!is.null(command)) request$command <- command
  req <- tempfile("acro-request-", fileext = ".json")
  on.exit(unlink(req), add = TRUE)
  writeLines(jsonlite::toJSON(request, auto_unbox = TRUE, null = "null"), req)
  out <- suppressWarnings(system2(acro_python(), c("-m", "analyserom_acro.rbridge", shQuote(acroEnv$state), shQuote(req)),
    stdout = TRUE, stderr = FALSE
  ))
  if (length(out) == 0) stop("the room's ACRO helper gave no answer (", acro_python(), " -m analyserom_acro.rbridge)", call. = FALSE)
  answer <- jsonlite::fromJSON(paste(out, collapse = "\n"), simplifyVector = FALSE)
  if (!isTRUE(answer$ok)) stop(answer$error, call. = FALSE)
  answer
}

acro_command <- function(call) paste(deparse(call), collapse = " ")

# A pandas DataFrame's to_json(orient = "split") as an R data frame.
acro_frame <- function(split) {
  label <- function(x) if (is.list(x)) paste(vapply(x, function(v) if (is.null(v)) "" else as.character(v), ""), collapse = " ") else as.character(x)
  cols <- vapply(split$columns, label, "")
  rows <- vapply(split$index, label, "")
  values <- lapply(seq_along(cols), function(j) {
    col <- lapply(split$data, function(r) if (is.null(r[[j]])) NA else r[[j]])
    unlist(col)
  })
  frame <- as.data.frame(values, col.names = cols, check.names = FALSE, stringsAsFactors = FALSE)
  rownames(frame) <- rows
  frame
}

# Named columns of one data frame from vectors (names from the call, as ACRO-R's pandas does).
acro_columns <- function(vectors, names) {
  frame <- as.data.frame(vectors, stringsAsFactors = FALSE)
  names(frame) <- make.unique(names)
  frame
}

acro_init <- function(config = "default", suppress = FALSE, envname = NULL, use_conda = NULL) {
  acroEnv$state <- tempfile("acro-session-", fileext = ".pickle")
  acro_call("init", list(suppress = suppress))
  invisible(TRUE)
}

acro_crosstab <- function(index, columns, values = NULL, rownames = NULL, colnames = NULL, aggfunc = NULL, margins = FALSE,
                          margins_name = "All", dropna = TRUE, normalize = FALSE, show_suppressed = FALSE) {
  if (!isFALSE(normalize)) stop("normalize is not offered: the control plane checks and returns counts")
  rn <- if (is.null(rownames)) deparse(substitute(index)) else rownames
  cn <- if (is.null(colnames)) deparse(substitute(columns)) else colnames
  rn <- sub(".*\\$", "", rn)
  cn <- sub(".*\\$", "", cn)
  vectors <- list(index, columns)
  names <- c(rn, cn)
  if (!is.null(values)) {
    vectors <- c(vectors, list(values))
    names <- c(names, sub(".*\\$", "", deparse(substitute(values))))
  }
  data <- acro_columns(vectors, names)
  cols <- names(data)
  args <- list(index = list(cols[1]), columns = list(cols[2]), values = if (is.null(values)) NULL else cols[3],
               aggfunc = aggfunc, margins = margins, margins_name = margins_name)
  acro_frame(acro_call("crosstab", args, data, acro_command(sys.call()))$table)
}

acro_table <- function(index, columns, dnn = NULL, deparse.level = 0, useNA = "no", exclude = NULL, ...) {
  if (useNA != "no") stop("useNA is not offered: missing values are checked by the control plane's policy")
  names <- if (is.null(dnn)) c(sub(".*\\$", "", deparse(substitute(index))), sub(".*\\$", "", deparse(substitute(columns)))) else dnn
  data <- acro_columns(list(index, columns), names)
  args <- list(index = list(names(data)[1]), columns = list(names(data)[2]), values = NULL, aggfunc = NULL, margins = FALSE)
  acro_frame(acro_call("crosstab", args, data, acro_command(sys.call()))$table)
}

acro_pivot_table <- function(data, values = NULL, index = NULL, columns = NULL, aggfunc = "mean") {
  used <- unique(c(index, columns, values))
  args <- list(values = values, index = as.list(index), columns = as.list(columns), aggfunc = aggfunc)
  acro_frame(acro_call("pivot_table", args, data[, used, drop = FALSE], acro_command(sys.call()))$table)
}

acro_model <- function(call, formula, data, family = NULL, command) {
  used <- intersect(all.vars(formula), names(data))
  answer <- acro_call(call, list(formula = paste(deparse(formula), collapse = " "), family = family), data[, used, drop = FALSE], command)
  model <- acro_frame(answer$table)
  attr(model, "nobs") <- answer$nobs
  attr(model, "df.residual") <- answer$dof
  attr(model, "status") <- answer$status
  model
}

acro_lm <- function(formula, data) acro_model("lm", formula, data, command = acro_command(sys.call()))

acro_glm <- function(formula, data, family) {
  if (!family %in% c("logit", "probit")) stop("Invalid family. Options for family are: logit or probit")
  acro_model("glm", formula, data, family, acro_command(sys.call()))
}

acro_surv_func <- function(time, status, output, filename = "kaplan-meier.png") {
  data <- acro_columns(list(time, status), c("time", "status"))
  answer <- acro_call("surv_func", list(time = "time", status = "status", output = output, filename = filename), data, acro_command(sys.call()))
  if (output == "table") acro_frame(answer$table) else answer$file
}

acro_hist <- function(data, column, breaks = "sturges", freq = TRUE, col = NULL, filename = "histogram.png") {
  x <- data[[column]]
  bins <- if (is.character(breaks)) grDevices::nclass.Sturges(x[!is.na(x)]) else if (length(breaks) == 1) breaks else as.list(breaks)
  answer <- acro_call("hist", list(column = column, bins = bins, filename = filename), data[, column, drop = FALSE], acro_command(sys.call()))
  answer$file
}

acro_add_comments <- function(name, comment) invisible(acro_call("add_comments", list(args = list(name, comment))))
acro_add_exception <- function(name, reason) invisible(acro_call("add_exception", list(args = list(name, reason))))
acro_rename_output <- function(old, new) invisible(acro_call("rename_output", list(args = list(old, new))))
acro_remove_output <- function(name) invisible(acro_call("remove_output", list(args = list(name))))
acro_custom_output <- function(filename, comment = NULL) {
  invisible(acro_call("custom_output", list(filename = normalizePath(filename), comment = comment)))
}
acro_print_outputs <- function() {
  cat(acro_call("print_outputs")$text)
  invisible(NULL)
}
acro_finalise <- function(path, ext = "json") invisible(acro_call("finalise", list(path = path, ext = ext))$written)
acro_enable_suppression <- function() invisible(acro_call("suppression", list(on = TRUE)))
acro_disable_suppression <- function() invisible(acro_call("suppression", list(on = FALSE)))
