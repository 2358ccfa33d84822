;;; kerasls.el --- kerasls (a Keras-aware linter) in Emacs, through Eglot  -*- lexical-binding: t; -*-

;; Works with Emacs 29+ (Eglot is built in) and with Emacs 28 plus Eglot 1.9 or newer
;; (Debian 12: apt-get install emacs elpa-eglot).
;;
;; Load it from your init file, then let Eglot start in Python buffers:
;;     (load "/path/to/kerasls/editors/emacs/kerasls.el")
;;     (add-hook 'python-mode-hook #'eglot-ensure)
;;     (add-hook 'python-ts-mode-hook #'eglot-ensure)   ; Emacs 29+ with tree-sitter
;; The server runs as `python3 -m kerasls serve' (stdio).  Point it at the python of a
;; virtualenv that has kerasls installed with
;;     (setq kerasls-python "/path/to/project/.venv/bin/python")
;; or with $KERASLS_PYTHON in Emacs's environment.  The server's settings are in
;; `kerasls-settings' (sent as initializationOptions, and as the `kerasls' section of
;; workspace/configuration and of workspace/didChangeConfiguration), e.g.
;;     (setq kerasls-settings (plist-put kerasls-settings :severity '(:KLS401 "hint")))
;; A `:kerasls' section in `eglot-workspace-configuration' (a .dir-locals.el) applies on
;; top of `kerasls-settings' for that project.
;;
;; Quick fixes: M-x eglot-code-actions on a finding offers kerasls's fixes with the
;; preferred one as the default (RET applies it); M-x kerasls-fix applies the preferred
;; fix on the current line without asking, and M-x kerasls-fix-all fixes the whole file.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'flymake)

(defgroup kerasls nil
  "kerasls, the Keras-aware linter and language server."
  :group 'tools
  :prefix "kerasls-")

(defcustom kerasls-python
  (let ((env (getenv "KERASLS_PYTHON")))
    (if (and env (not (string-empty-p env))) env "python3"))
  "The python that runs `python -m kerasls serve'; kerasls must be installed in it.
Read each time Eglot starts the server."
  :type 'string)

(defcustom kerasls-settings
  '(:enable t               ; nil: analyse nothing, show nothing
    :run "onType"           ; "onType" (after :debounce ms) or "onSave"
    :showSyntaxErrors t     ; show the syntax error while a line does not parse
    :select ()              ; only these rules, e.g. ("KLS101" "KLS201")
    :ignore ()              ; never these rules
    :severity ()            ; per rule: (:KLS401 "hint"); error, warning, information, hint
    :debounce 200           ; milliseconds from the last keystroke to the analysis
    :inlayHints nil)        ; output shape after each layer (shown by Eglot 1.12+, Emacs 29+)
  "The kerasls server's settings; these are its defaults.
The same names as the `kerasls' section of other editors.  `[tool.kerasls]'
in pyproject.toml applies first and these override it (empty :select and
:ignore leave pyproject's alone).  Sent as initializationOptions when the
server starts, and as the `kerasls' section of workspace/configuration,
where the keys of a `:kerasls' section in the project's
`eglot-workspace-configuration' replace these.
After a change, run \\[eglot-signal-didChangeConfiguration] (or restart
with \\[eglot-reconnect])."
  :type 'plist)

(defconst kerasls--boolean-keys '(:enable :showSyntaxErrors :inlayHints))
(defconst kerasls--list-keys '(:select :ignore))

(defun kerasls--json-settings (&optional settings)
  "SETTINGS (default `kerasls-settings') as a JSON object for Eglot to send.
nil means false for the switches, lists become arrays and :severity an
object, so that `()' is sent as [] or {} and never as null."
  (cl-loop for (key value) on (or settings kerasls-settings) by #'cddr
           collect key
           collect (cond ((memq key kerasls--boolean-keys)
                          (if (and value (not (eq value :json-false))) t :json-false))
                         ((memq key kerasls--list-keys) (vconcat value))
                         ((eq key :severity) (kerasls--json-object value))
                         (t value))))

(defun kerasls--json-object (map)
  "MAP as a hash table (a JSON object, {} when empty).
MAP is a plist (:KLS401 \"hint\") or an alist ((\"KLS401\" . \"hint\"))."
  (let ((table (make-hash-table :test #'equal)))
    (cond ((hash-table-p map) (setq table map))
          ((keywordp (car-safe map))
           (cl-loop for (key value) on map by #'cddr
                    do (puthash (substring (symbol-name key) 1) value table)))
          (t
           (dolist (pair map)
             (puthash (format "%s" (car pair)) (if (consp (cdr pair)) (cadr pair) (cdr pair)) table))))
    table))

(defclass kerasls-eglot-server (eglot-lsp-server) ()
  :documentation "Eglot's connection to kerasls.")

(cl-defmethod eglot-initialization-options ((_server kerasls-eglot-server))
  "The settings for the first analysis: `kerasls-settings'."
  (kerasls--json-settings))

(defun kerasls--merge (base section)
  "SECTION (a plist, or nil) on top of BASE: its keys replace BASE's."
  (cond ((null section) base)
        ((and (consp section) (keywordp (car section)))
         (let ((merged (copy-sequence base)))
           (cl-loop for (key value) on section by #'cddr
                    do (setq merged (plist-put merged key value)))
           merged))
        (t section)))

(cl-defmethod eglot-handle-request
  ((_server kerasls-eglot-server) (_method (eql workspace/configuration)) &key items)
  "Answer the `kerasls' section: `kerasls-settings' under the project's keys."
  (let ((answers (cl-call-next-method)))
    (dotimes (i (length items))
      (when (equal (plist-get (aref items i) :section) "kerasls")
        (aset answers i (kerasls--merge (kerasls--json-settings) (aref answers i)))))
    answers))

(cl-defmethod jsonrpc-connection-send :around
  ((conn kerasls-eglot-server) &rest args &key method params &allow-other-keys)
  "Put the `kerasls' section into workspace/didChangeConfiguration.
Eglot sends the project's `eglot-workspace-configuration' only (after it
connects, and on \\[eglot-signal-didChangeConfiguration]); kerasls gets
`kerasls-settings' with the project's `:kerasls' keys on top, as it does
for workspace/configuration."
  (if (not (equal (string-remove-prefix ":" (format "%s" method))
                  "workspace/didChangeConfiguration"))
      (cl-call-next-method)
    (let* ((given (plist-get params :settings))
           (settings (and (consp given) (keywordp (car given)) (copy-sequence given))))
      (setq settings (plist-put settings :kerasls
                                (kerasls--merge (kerasls--json-settings)
                                                (plist-get settings :kerasls))))
      (apply #'cl-call-next-method conn
             (plist-put (copy-sequence args) :params (list :settings settings))))))

(defun kerasls-eglot-contact (&optional _interactive _project)
  "How Eglot starts kerasls: `kerasls-python' -m kerasls serve, over stdio."
  (list 'kerasls-eglot-server kerasls-python "-m" "kerasls" "serve"))

(defconst kerasls-eglot-modes
  '((python-mode :language-id "python") (python-ts-mode :language-id "python"))
  "The major modes that kerasls serves.")

;; In front of Eglot's own Python entry (pylsp and others): Eglot runs one server per
;; major mode, so Python buffers get kerasls.  Loading this file twice adds it once.
(setq eglot-server-programs
      (cons (cons kerasls-eglot-modes #'kerasls-eglot-contact)
            (cl-remove #'kerasls-eglot-contact eglot-server-programs :key #'cdr-safe)))

;;; Quick fixes

(defun kerasls--execute (server action)
  "Apply the code ACTION from SERVER the way `eglot-code-actions' does."
  (if (fboundp 'eglot-execute)
      (eglot-execute server action)  ; Eglot 1.16+
    ;; One action of a given kind: Eglot applies it without asking.
    (eglot--read-execute-code-action (list action) server (plist-get action :kind))))

(defun kerasls--actions (beg end kind)
  "Eglot's code actions of KIND between BEG and END."
  (let ((actions (eglot-code-actions beg end kind)))
    (if (vectorp actions) (append actions nil) actions)))

(defun kerasls-fix ()
  "Apply kerasls's preferred quick fix for the finding on the current line."
  (interactive)
  (let* ((server (eglot--current-server-or-lose))
         (actions (kerasls--actions (line-beginning-position) (line-end-position) "quickfix"))
         (preferred (cl-find-if (lambda (a) (eq (plist-get a :isPreferred) t)) actions)))
    (unless preferred
      (user-error "[kerasls] No preferred fix on this line%s"
                  (if actions (format " (%d other actions: M-x eglot-code-actions)" (length actions)) "")))
    (kerasls--execute server preferred)
    (plist-get preferred :title)))

(defun kerasls-fix-all ()
  "Apply every kerasls fix in the buffer at once."
  (interactive)
  (let* ((server (eglot--current-server-or-lose))
         (action (car (kerasls--actions (point-min) (point-max) "source.fixAll.kerasls"))))
    (unless action
      (user-error "[kerasls] Nothing to fix"))
    (kerasls--execute server action)
    (plist-get action :title)))

(provide 'kerasls)
;;; kerasls.el ends here
