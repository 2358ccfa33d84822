;;; driver.el --- kerasls's scenario in a real Emacs with Eglot  -*- lexical-binding: t; -*-

;; For tests/emacs/test_emacs_e2e.py, which runs, on a pseudo-terminal:
;;     emacs -nw -q --no-splash -l tests/emacs/driver.el FILE
;;
;; Why a terminal and not --batch: in batch mode Emacs has no command loop, so idle timers
;; never fire.  Eglot sends textDocument/didChange from an idle timer, Flymake and ElDoc
;; work from idle timers too; a batch test would have to call those by hand.  Here Emacs
;; runs its ordinary command loop and the scenario acts like a user: it loads the shipped
;; editors/emacs/kerasls.el, visits FILE (eglot-ensure on python-mode-hook starts the
;; server), waits for Flymake to show the diagnostics, moves the cursor and types M-x
;; commands (keys go through `unread-command-events' into the command loop: the
;; minibuffer reads them as typed).  A repeating timer checks, every 50 ms, the condition
;; the current step waits for; nothing sleeps for a fixed time.  One deadline covers all.
;;
;; Environment (set by the test):
;;   KERASLS_TEST_FILE       the file Emacs visits (also on its command line)
;;   KERASLS_TEST_PYTHON     python for `kerasls-python' (what a user sets for a virtualenv)
;;   KERASLS_TEST_OUT        where to write the JSON record
;;   KERASLS_TEST_PIDFILE    where to write the server's pid as soon as it runs
;;   KERASLS_TEST_EVENTS     where to write Eglot's events buffer (the LSP traffic)
;;   KERASLS_TEST_EXPECT     comma-separated codes to wait for after opening
;;   KERASLS_TEST_FIX        comma-separated CODE:COMMAND, in order; COMMAND is
;;                           eglot-code-actions (M-x, then RET takes the preferred default)
;;                           or kerasls-fix / kerasls-fix-all (M-x, from kerasls.el)
;;   KERASLS_TEST_HOVER      text on a line of FILE to hover over (ElDoc), or empty
;;   KERASLS_TEST_RECONFIGURE  CODE:FORM: after the first diagnostics, evaluate FORM (as with
;;                           M-:), type M-x eglot-signal-didChangeConfiguration and wait
;;                           until CODE is gone from Flymake; or empty
;;   KERASLS_TEST_SETTINGS   an Emacs Lisp form to evaluate after loading kerasls.el, or empty
;;   KERASLS_TEST_BUDGET_MS  overall time for the scenario

;;; Code:

(require 'cl-lib)
(require 'json)
(require 'subr-x)
(require 'lisp-mnt)

(defconst kt--here (file-name-directory (or load-file-name buffer-file-name)))
(defconst kt--repo (file-name-as-directory (expand-file-name "../.." kt--here)))
(defconst kt--start (float-time))
(defconst kt--deadline
  (+ kt--start (/ (string-to-number (or (getenv "KERASLS_TEST_BUDGET_MS") "90000")) 1000.0)))

(defun kt--env-list (name)
  (split-string (or (getenv name) "") "," t " *"))

(defun kt--ms () (round (* 1000 (- (float-time) kt--start))))

;; No native compilation of the packages this test loads: with a fresh HOME, Emacs 28+
;; built with native-comp would compile Eglot and its dependencies in the background on
;; every run (about a minute of CPU time when measured here).
(setq native-comp-deferred-compilation nil)
(when (boundp 'native-comp-enable-subr-trampolines)
  (setq native-comp-enable-subr-trampolines nil))
(when (boundp 'comp-enable-subr-trampolines)
  (setq comp-enable-subr-trampolines nil))
;; Should a compilation start anyway (seen under load: seq-25.el), its warnings must not pop up a
;; *Warnings* window over the file: ElDoc then has no window to show the hover in.
(setq native-comp-async-report-warnings-errors 'silent)

;; What a user puts in an init file: the shipped config, the python of a virtualenv, and
;; Eglot on for Python buffers.  Quiet M-x: no "you can run this with ..." pauses.
(load (expand-file-name "editors/emacs/kerasls.el" kt--repo) nil t)
(setq kerasls-python (getenv "KERASLS_TEST_PYTHON"))
(let ((settings (getenv "KERASLS_TEST_SETTINGS")))  ; e.g. (setq kerasls-settings ...)
  (unless (string-empty-p (or settings ""))
    (eval (car (read-from-string settings)) t)))
(add-hook 'python-mode-hook #'eglot-ensure)
(setq extended-command-suggest-shorter nil
      suggest-key-bindings nil)

;;; The record

(defvar kt--record (list :events [] :server_messages [] :fixes [] :minibuffer []))
(defvar kt--buffer nil "The visited file's buffer.")
(defvar kt--server nil)
(defvar kt--hover-docs nil "What ElDoc displayed, newest first.")

(defun kt--put (key value) (setq kt--record (plist-put kt--record key value)))
(defun kt--push (key value)
  (kt--put key (vconcat (plist-get kt--record key) (list value))))
(defun kt--event (kind &rest more)
  (kt--push :events (append (list :kind kind :t (kt--ms)) more)))

;; The LSP traffic that matters, timestamped (the events buffer has all of it).
(cl-defmethod eglot-handle-notification :before (_server method &rest params)
  (pcase method
    ('textDocument/publishDiagnostics
     (let ((items (plist-get params :diagnostics)))
       (kt--event "push" :count (length items) :version (plist-get params :version)
                  :codes (vconcat (mapcar (lambda (d) (plist-get d :code)) items)))))
    ((or 'window/showMessage 'window/logMessage)
     (kt--push :server_messages (list :method (symbol-name method)
                                      :type (plist-get params :type)
                                      :message (plist-get params :message))))))

(cl-defmethod eglot-handle-request :before (_server method &rest _params)
  (kt--event "server_request" :method (symbol-name method)))

(defun kt--record-minibuffer ()
  "What the minibuffer asked and offered, as a user would see it."
  (let ((table minibuffer-completion-table))
    (kt--push :minibuffer
              (list :prompt (minibuffer-prompt)
                    :candidates (if (and (listp table) (consp (car-safe table)))
                                    (vconcat (mapcar (lambda (c) (format "%s" (car c))) table))
                                  [])))))
(add-hook 'minibuffer-setup-hook #'kt--record-minibuffer)

;;; Reading what Emacs shows

(defun kt--lsp-diag (d)
  (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d)))

(defun kt--kerasls-diagnostics (&optional all)
  "Flymake's diagnostics from kerasls that are errors or warnings (or ALL), in line order."
  (with-current-buffer kt--buffer
    (sort (cl-remove-if-not
           (lambda (d)
             (let ((lsp (kt--lsp-diag d)))
               (and (equal (plist-get lsp :source) "kerasls")
                    (or all (memq (plist-get lsp :severity) '(1 2))))))
           (flymake-diagnostics))
          (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))))

(defun kt--fresh-p (diags)
  "Every diagnostic belongs to the buffer's current version (the server checks that)."
  (with-current-buffer kt--buffer
    (cl-every (lambda (d)
                (equal (plist-get (plist-get (kt--lsp-diag d) :data) :version)
                       eglot--versioned-identifier))
              diags)))

(defun kt--find (code &optional all)
  (cl-find-if (lambda (d) (equal (plist-get (kt--lsp-diag d) :code) code))
              (kt--kerasls-diagnostics all)))

(defun kt--has-codes (codes)
  (let ((diags (kt--kerasls-diagnostics)))
    (and (cl-every #'kt--find codes) (kt--fresh-p diags))))

(defun kt--describe (d)
  (with-current-buffer kt--buffer
    (let ((lsp (kt--lsp-diag d)))
      (list :line (line-number-at-pos (flymake-diagnostic-beg d))
            :col (save-excursion (goto-char (flymake-diagnostic-beg d)) (current-column))
            :code (plist-get lsp :code)
            :source (plist-get lsp :source)
            :severity (plist-get lsp :severity)
            :flymake_type (symbol-name (flymake-diagnostic-type d))
            :text (flymake-diagnostic-text d)
            :message (plist-get lsp :message)))))

(defun kt--line-text (line)
  (with-current-buffer kt--buffer
    (save-excursion
      (goto-char (point-min))
      (forward-line (1- line))
      (buffer-substring-no-properties (line-beginning-position) (line-end-position)))))

(defun kt--eglot-version ()
  (or (let ((desc (cadr (assq 'eglot (bound-and-true-p package-alist)))))
        (and desc (package-version-join (package-desc-version desc))))
      (ignore-errors
        (with-temp-buffer
          (insert-file-contents (find-library-name "eglot"))
          (lm-version)))))

;;; Acting like a user

(defun kt--goto (pos)
  "Put the cursor at POS in the file's window (a click, or motion keys)."
  (with-current-buffer kt--buffer (goto-char pos))
  (set-window-point (get-buffer-window kt--buffer) pos))

(defun kt--type (keys)
  "Type KEYS (`kbd' syntax) into the command loop."
  (kt--event "type" :keys keys)
  (setq unread-command-events (append unread-command-events (listify-key-sequence (kbd keys)))))

(defun kt--record-hover (docs _interactive)
  (when docs
    (push (mapconcat (lambda (doc) (substring-no-properties (car doc))) docs "\n") kt--hover-docs)))

;;; The scenario: steps of (DESCRIPTION UNTIL-PREDICATE THEN-FUNCTION)

(defvar kt--steps nil)

(defun kt--then (description until &optional then)
  (setq kt--steps (append kt--steps (list (list description until then)))))

(defun kt--fix-steps (code command)
  (let (fix tick line)
    (kt--then (format "%s to offer its fix" code)
              (lambda () (kt--find code))
              (lambda ()
                (let ((d (kt--find code)))
                  (setq line (line-number-at-pos (flymake-diagnostic-beg d))
                        tick (buffer-chars-modified-tick kt--buffer)
                        fix (list :code code :command command :line line :before (kt--line-text line)
                                  :minibuffer_before (length (plist-get kt--record :minibuffer))))
                  (kt--goto (flymake-diagnostic-beg d))
                  (kt--event "fix" :code code :command command)
                  (pcase command
                    ("eglot-code-actions" (kt--type "M-x eglot-code-actions RET RET"))
                    ("kerasls-fix" (kt--type "M-x kerasls-fix RET"))
                    ("kerasls-fix-all" (kt--type "M-x kerasls-fix-all RET"))
                    (_ (error "unknown fix command %s" command))))))
    (kt--then (format "the %s fix to edit the buffer" code)
              (lambda () (/= tick (buffer-chars-modified-tick kt--buffer)))
              (lambda () (kt--event "edited" :code code)))
    (kt--then (format "%s to go away after its fix" code)
              (lambda () (and (not (kt--find code)) (kt--fresh-p (kt--kerasls-diagnostics))))
              (lambda ()
                (kt--event "cleared" :code code)
                (kt--push :fixes (append fix (list :after (kt--line-text line)
                                                   :remaining (vconcat (mapcar #'kt--describe (kt--kerasls-diagnostics))))))))))

(defun kt--plan ()
  (let ((expect (kt--env-list "KERASLS_TEST_EXPECT"))
        (hover (or (getenv "KERASLS_TEST_HOVER") "")))
    (kt--then "kerasls to attach"
              (lambda () (with-current-buffer kt--buffer (and eglot--managed-mode (eglot-current-server))))
              (lambda ()
                (setq kt--server (with-current-buffer kt--buffer (eglot-current-server)))
                (with-current-buffer kt--buffer
                 (let ((proc (jsonrpc--process kt--server)))
                  (with-temp-file (getenv "KERASLS_TEST_PIDFILE")
                    (insert (format "%d\n" (process-id proc))))
                  (kt--put :client
                           (list :class (symbol-name (eieio-object-class kt--server))
                                 :command (vconcat (process-command proc))
                                 :pid (process-id proc)
                                 :root (project-root (eglot--project kt--server))
                                 :managed_modes (vconcat (mapcar #'symbol-name (eglot--major-modes kt--server)))
                                 :language_id (eglot--language-id kt--server)
                                 :server_info (eglot--server-info kt--server)
                                 :hover_provider (and (eglot--server-capable :hoverProvider) t)
                                 :code_action_provider (and (eglot--server-capable :codeActionProvider) t)))))
                (kt--event "attached")))
    (kt--then (format "the diagnostics %s" (string-join expect ", "))
              (lambda () (kt--has-codes expect))
              (lambda ()
                (kt--event "diagnostics")
                (kt--put :diagnostics (vconcat (mapcar #'kt--describe (kt--kerasls-diagnostics))))
                (kt--put :all_diagnostics (vconcat (mapcar #'kt--describe (kt--kerasls-diagnostics t))))))
    (let ((reconfigure (or (getenv "KERASLS_TEST_RECONFIGURE") "")))
      (unless (string-empty-p reconfigure)
        (let ((code (car (split-string reconfigure ":")))
              (form (substring reconfigure (1+ (string-match ":" reconfigure)))))
          (kt--then "the settings to change"
                    #'always
                    (lambda ()
                      (eval (car (read-from-string form)) t)
                      (kt--event "reconfigure" :code code)
                      (kt--type "M-x eglot-signal-didChangeConfiguration RET")))
          (kt--then (format "%s to go away with the new settings" code)
                    (lambda () (and (not (kt--find code t)) (kt--fresh-p (kt--kerasls-diagnostics t))))
                    (lambda ()
                      (kt--event "reconfigured" :code code)
                      (kt--put :reconfigured (vconcat (mapcar #'kt--describe (kt--kerasls-diagnostics t)))))))))
    (unless (string-empty-p hover)
      (kt--then "the cursor on the hover text"
                #'always
                (lambda ()
                  (with-current-buffer kt--buffer
                    (add-hook 'eldoc-display-functions #'kt--record-hover nil t)
                    (goto-char (point-min))
                    (search-forward hover)
                    (kt--goto (1+ (match-beginning 0)))
                    (kt--put :hover_line (line-number-at-pos)))
                  (kt--event "hover")
                  ;; One motion key: ElDoc shows the documentation after motion commands.
                  (kt--type "C-f")))
      (kt--then "ElDoc to show kerasls's hover"
                (lambda () kt--hover-docs)
                (lambda () (kt--put :hover (car kt--hover-docs)) (kt--event "hovered"))))
    (dolist (spec (kt--env-list "KERASLS_TEST_FIX"))
      (let ((parts (split-string spec ":")))
        (kt--fix-steps (car parts) (cadr parts))))
    (when (kt--env-list "KERASLS_TEST_FIX")
      (kt--then "no errors or warnings left" (lambda () (null (kt--kerasls-diagnostics)))))))

;;; Running it

(defvar kt--ticker nil)
(defvar kt--busy nil)
(defvar kt--finished nil)

(defun kt--idle-p ()
  "No command running, no keys waiting to be read, no minibuffer open."
  (and (null this-command) (null unread-command-events) (not (active-minibuffer-window))))

(defun kt--tick ()
  (unless (or kt--busy kt--finished)
    (setq kt--busy t)
    (unwind-protect
        (condition-case err
            (cond
             ((null kt--steps) (kt--finish t nil))
             ((> (float-time) kt--deadline)
              (kt--finish nil (format "timed out waiting for %s" (car (car kt--steps)))))
             ((and (kt--idle-p) (funcall (nth 1 (car kt--steps))))
              (let ((step (pop kt--steps)))
                (when (nth 2 step) (funcall (nth 2 step))))))
          (error (kt--finish nil (format "%s: %s" (car (car kt--steps)) (error-message-string err)))))
      (setq kt--busy nil))))

(defun kt--finish (ok message)
  (setq kt--finished t)
  (when kt--ticker (cancel-timer kt--ticker))
  (condition-case err
      (kt--write-record ok message)
    (error (setq ok nil)
           (message "driver: could not write the record: %s" (error-message-string err))))
  (kill-emacs (if ok 0 3)))

(defun kt--write-record (ok message)
  (kt--put :ok (if ok t :json-false))
  (kt--put :error message)
  (ignore-errors
    (kt--put :final_diagnostics (vconcat (mapcar #'kt--describe (kt--kerasls-diagnostics))))
    (kt--put :text (with-current-buffer kt--buffer (buffer-substring-no-properties (point-min) (point-max)))))
  (kt--put :hover_docs (vconcat (reverse kt--hover-docs)))
  (kt--put :emacs_version emacs-version)
  (kt--put :eglot_version (kt--eglot-version))
  (kt--put :messages (with-current-buffer (messages-buffer) (buffer-substring-no-properties (point-min) (point-max))))
  (when kt--server
    (let ((proc (jsonrpc--process kt--server)))
      ;; What M-x eglot-shutdown does: shutdown request, exit notification, then
      ;; jsonrpc.el deletes the process.
      (let ((t0 (kt--ms)))
        (condition-case err
            (eglot-shutdown kt--server nil nil t)
          (error (kt--put :shutdown_error (error-message-string err))))
        (kt--put :shutdown_ms (- (kt--ms) t0)))
      (kt--put :server_alive_after_shutdown (if (process-live-p proc) t :json-false))
      (kt--put :server_exit_status (process-exit-status proc))
      (let ((events (jsonrpc-events-buffer kt--server)))
        (when (buffer-live-p events)
          (with-current-buffer events
            (write-region (point-min) (point-max) (getenv "KERASLS_TEST_EVENTS") nil 'silent))))))
  (kt--put :total_ms (kt--ms))
  (with-temp-file (getenv "KERASLS_TEST_OUT")
    (let ((json-encoding-pretty-print nil))
      (insert (json-encode kt--record)))))

(add-hook 'emacs-startup-hook
          (lambda ()
            (setq kt--buffer (get-file-buffer (getenv "KERASLS_TEST_FILE")))
            (if (not kt--buffer)
                (kt--finish nil "the file is not visited")
              (kt--put :major_mode (symbol-name (buffer-local-value 'major-mode kt--buffer)))
              (kt--plan)
              (setq kt--ticker (run-with-timer 0.05 0.05 #'kt--tick)))))

;;; driver.el ends here
