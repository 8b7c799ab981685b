// Learner list: "Import from Excel" — download the template, upload it filled in, see every error or import
// all learners at once (see pumpurs_app/registers/doctype/learner_import/learner_import.py).

frappe.listview_settings["Learner"] = {
	onload(listview) {
		if (frappe.model.can_create("Learner")) {
			listview.page.add_inner_button(__("Import from Excel"), () => new LearnerImportDialog(listview));
		}
	},
};

const LEARNER_IMPORT = "pumpurs_app.registers.doctype.learner_import.learner_import";

class LearnerImportDialog {
	constructor(listview) {
		this.listview = listview;
		this.current = null;
		this.dialog = new frappe.ui.Dialog({
			title: __("Import Learners from Excel"),
			size: "large",
			fields: [
				{
					fieldtype: "HTML",
					fieldname: "step_1",
					options: `<p>${__("1. Download the template and fill in one learner per row.")}</p>`,
				},
				{
					fieldtype: "Button",
					fieldname: "download",
					label: __("Download Template", null, "Learner Import"),
					click: () => window.open(`/api/method/${LEARNER_IMPORT}.download_template`),
				},
				{
					fieldtype: "HTML",
					fieldname: "step_2",
					options: `<p class="mt-3">${__(
						"2. Upload the filled template. The whole file is checked first: if any row has an error, nothing is imported."
					)}</p>`,
				},
				{
					fieldtype: "Attach",
					fieldname: "file",
					label: __("Filled Template (.xlsx)"),
					options: { restrictions: { allowed_file_types: [".xlsx"] } },
					change: () => this.check(),
				},
				{ fieldtype: "HTML", fieldname: "result" },
			],
			primary_action_label: __("Import"),
			primary_action: () => this.start(),
		});
		this.on_progress = (data) => this.progress(data);
		frappe.realtime.on("learner_import_progress", this.on_progress);
		this.dialog.onhide = () => frappe.realtime.off("learner_import_progress", this.on_progress);
		this.toggle_import(false);
		this.dialog.show();
	}

	toggle_import(enabled, count) {
		const button = this.dialog.get_primary_btn();
		button.prop("disabled", !enabled).toggle(!!enabled);
		if (enabled) button.text(__("Import {0} learners", [count]));
	}

	check() {
		const file_url = this.dialog.get_value("file");
		this.current = null;
		this.toggle_import(false);
		this.show("");
		if (!file_url || file_url === this.checked_url) return;
		this.checked_url = file_url;
		frappe.call({
			method: `${LEARNER_IMPORT}.check_file`,
			args: { file_url },
			freeze: true,
			freeze_message: __("Checking the file…"),
			callback: (r) => this.show_result(r.message),
			error: () => (this.checked_url = null),
		});
	}

	start() {
		if (!this.current) return;
		this.toggle_import(false);
		frappe.call({
			method: `${LEARNER_IMPORT}.start_import`,
			args: { learner_import: this.current.name },
			freeze: true,
			freeze_message: __("Importing…"),
			callback: (r) => {
				if (r.message.background) {
					this.show(this.progress_bar(0, __("Importing in the background: you may close this window.")));
				} else {
					this.show_result(r.message);
				}
			},
		});
	}

	progress(data) {
		if (!this.current || data.name !== this.current.name) return;
		if (data.stage === "done") {
			frappe.call({
				method: `${LEARNER_IMPORT}.get_status`,
				args: { learner_import: data.name },
				callback: (r) => this.show_result(r.message),
			});
			return;
		}
		const what = data.stage === "checking" ? __("Checking rows") : __("Writing learners");
		this.show(this.progress_bar(data.percent, `${what}: ${data.done} / ${data.total}`));
	}

	progress_bar(percent, text) {
		return `<div class="progress mt-3" style="height: 1.2rem">
				<div class="progress-bar" role="progressbar" style="width: ${cint(percent)}%">${cint(percent)}%</div>
			</div><p class="text-muted mt-2">${frappe.utils.escape_html(text)}</p>`;
	}

	show_result(result) {
		this.current = result;
		const link = `<a href="/app/learner-import/${encodeURIComponent(result.name)}">${frappe.utils.escape_html(result.name)}</a>`;
		let html = "";
		if (result.status === "Validated") {
			html = `<div class="alert alert-success mt-3">${__("No errors: {0} learners are ready to import.", [
				result.row_count,
			])}</div>`;
			this.toggle_import(true, result.row_count);
		} else if (result.status === "Imported") {
			html = `<div class="alert alert-success mt-3">${__("Imported {0} learners.", [result.imported_count])} ${link}</div>`;
			this.listview.refresh();
		} else if (result.status === "Invalid") {
			html = `<div class="alert alert-danger mt-3">${__("Errors found: {0}. Nothing was imported.", [
				result.error_count,
			])} ${
				result.error_file
					? `<a href="${encodeURI(result.error_file)}" target="_blank">${__("Download the error workbook")}</a>`
					: ""
			}</div>${this.error_table(result)}`;
		} else if (result.status === "Failed") {
			html = `<div class="alert alert-danger mt-3">${frappe.utils.escape_html(result.message || "")} ${link}</div>`;
		} else {
			html = `<p class="mt-3">${frappe.utils.escape_html(result.status_label)} ${link}</p>`;
		}
		this.show(html);
	}

	error_table(result) {
		const e = frappe.utils.escape_html;
		const rows = (result.errors || [])
			.map(
				(err) =>
					`<tr><td>${e(String(err.row || ""))}</td><td>${e(err.column)}</td><td>${e(err.value)}</td><td>${e(
						err.reason
					)}</td></tr>`
			)
			.join("");
		const more =
			result.error_count > (result.errors || []).length
				? `<p class="text-muted">${__("The first {0} errors are shown; the workbook lists all of them.", [
						(result.errors || []).length,
				  ])}</p>`
				: "";
		return `<div style="max-height: 22rem; overflow: auto"><table class="table table-sm table-bordered">
			<thead><tr><th>${__("Row in File")}</th><th>${__("Column in File")}</th><th>${__(
			"Value in File"
		)}</th><th>${__("Error Found")}</th></tr></thead><tbody>${rows}</tbody></table></div>${more}`;
	}

	show(html) {
		this.dialog.fields_dict.result.$wrapper.html(html);
	}
}
