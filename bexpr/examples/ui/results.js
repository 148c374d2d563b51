// The results table. Records come from users: every value is set with
// textContent, never parsed as HTML.

// The columns worth a glance for the bundled resources, when the records have them.
const COLUMNS = {
  jobs: ["ID", "Name", "Status", "Type", "Priority", "Datacenters"],
  deployments: ["ID", "JobID", "JobVersion", "Status", "StatusDescription", "CreateIndex"],
};

// Records of another shape (`bexpr serve --data FILE`): their first scalar fields.
const MAX_COLUMNS = 8;

function isScalar(value) {
  return value === null || typeof value !== "object";
}

function isShown(value) {
  return isScalar(value) || (Array.isArray(value) && value.every(isScalar));
}

/** The columns to show for `records` of `resource`: ID first when there is one. */
export function columnsFor(resource, records) {
  const known = (COLUMNS[resource] ?? []).filter((name) =>
    records.some((record) => Object.hasOwn(record, name)),
  );
  if (known.length >= 2) {
    return known;
  }
  const first = records[0] ?? {};
  const names = Object.keys(first).filter((name) => isShown(first[name]));
  names.sort((a, b) => Number(b === "ID") - Number(a === "ID"));
  return names.slice(0, MAX_COLUMNS);
}

function cell(tag, value) {
  const element = document.createElement(tag);
  if (value === null || value === undefined) {
    element.textContent = value === null ? "null" : "";
    element.className = "null";
  } else if (Array.isArray(value)) {
    element.textContent = value.map((item) => (isScalar(item) ? String(item) : JSON.stringify(item))).join(", ");
  } else if (typeof value === "object") {
    element.textContent = JSON.stringify(value);
  } else {
    element.textContent = String(value);
    if (typeof value === "number") {
      element.className = "number";
    }
  }
  return element;
}

/** A table of `records` (non-empty) with `caption`; the first column heads each row. */
export function renderTable(resource, records, caption) {
  const columns = columnsFor(resource, records);
  const table = document.createElement("table");
  const title = document.createElement("caption");
  title.textContent = caption;
  table.append(title);
  const head = document.createElement("thead");
  const headings = document.createElement("tr");
  for (const name of columns) {
    const heading = document.createElement("th");
    heading.scope = "col";
    heading.textContent = name;
    headings.append(heading);
  }
  head.append(headings);
  const body = document.createElement("tbody");
  for (const record of records) {
    const row = document.createElement("tr");
    columns.forEach((name, index) => {
      // Own fields only: a name like "constructor" is no field of a record without it.
      const value = Object.hasOwn(record, name) ? record[name] : undefined;
      const element = cell(index === 0 ? "th" : "td", value);
      if (index === 0) {
        element.scope = "row";
      }
      row.append(element);
    });
    body.append(row);
  }
  table.append(head, body);
  return table;
}
