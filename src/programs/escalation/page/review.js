// The review page: lists tickets, shows one with its audit trail, posts notes and status
// changes to the API. Ticket text is customer data: it is only ever set as textContent.
"use strict"

const $ = (id) => document.getElementById(id)

const state = { selected: null, tickets: [] }

const when = (iso) => (typeof iso === "string" ? iso.replace("T", " ").slice(0, 16) : "")

const el = (tag, text, className) => {
  const node = document.createElement(tag)
  if (text !== undefined && text !== null) node.textContent = String(text)
  if (className) node.className = className
  return node
}

const badge = (kind, value) => el("span", value.replace("_", " "), `badge ${kind}-${value}`)

const statusLabel = (value) => value.replace("_", " ")

const readError = async (response) => {
  try {
    const body = await response.json()
    if (body && typeof body.message === "string") return body.message
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}`
}

const api = async (path, init) => {
  const response = await fetch(path, {
    ...init,
    headers: { accept: "application/json", ...(init && init.body ? { "content-type": "application/json" } : {}) }
  })
  if (!response.ok) throw new Error(await readError(response))
  return response.json()
}

const say = (node, text, kind) => {
  node.textContent = text
  node.className = `message${kind ? ` ${kind}` : ""}`
}

// ---------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------

const listQuery = (status) => {
  const params = new URLSearchParams()
  if (status) params.set("status", status)
  const department = $("filter-department").value
  if (department) params.set("department", department)
  params.set("limit", "200")
  return `/tickets?${params}`
}

const loadList = async () => {
  const status = $("filter-status").value
  const statuses = status === "active" ? ["open", "in_progress"] : [status]
  try {
    const pages = await Promise.all(statuses.map((s) => api(listQuery(s))))
    const tickets = pages.flatMap((page) => page.tickets)
    tickets.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0))
    state.tickets = tickets
    renderList()
    say($("list-message"), tickets.length === 0 ? "No tickets match." : `${tickets.length} ticket(s).`)
  } catch (error) {
    say($("list-message"), `Could not load the tickets: ${error.message}`, "error")
  }
}

const renderList = () => {
  const body = $("tickets").tBodies[0]
  body.replaceChildren()
  for (const ticket of state.tickets) {
    const row = document.createElement("tr")
    row.dataset.ticketId = ticket.ticket_id
    row.tabIndex = 0
    if (ticket.ticket_id === state.selected) row.classList.add("selected")
    const cells = [
      el("td", ticket.ticket_id, "id"),
      el("td"),
      el("td", ticket.department),
      el("td"),
      el("td", ticket.summary, "summary-cell"),
      el("td", ticket.customer_id),
      el("td", when(ticket.updated_at), "when")
    ]
    cells[1].append(badge("priority", ticket.priority))
    cells[3].append(el("span", statusLabel(ticket.status), "status"))
    row.append(...cells)
    row.addEventListener("click", () => select(ticket.ticket_id))
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter") select(ticket.ticket_id)
    })
    body.append(row)
  }
}

// ---------------------------------------------------------------------------
// One ticket
// ---------------------------------------------------------------------------

const describeChange = (entry) => {
  const before = entry.before || {}
  const after = entry.after || {}
  switch (entry.action) {
    case "create":
      return `created in ${after.department} at ${after.priority} priority${after.note ? ` (${after.note})` : ""}`
    case "status_change":
      return `${statusLabel(before.status)} → ${statusLabel(after.status)}`
    default: {
      const parts = []
      if (after.priority && before.priority) parts.push(`priority ${before.priority} → ${after.priority}`)
      if (after.note) parts.push(after.note)
      return parts.join("; ")
    }
  }
}

const renderDetail = (ticket) => {
  $("placeholder").hidden = true
  $("detail").hidden = false
  $("d-id").textContent = ticket.ticket_id
  $("d-summary").textContent = ticket.summary
  $("d-status").replaceChildren(el("span", statusLabel(ticket.status), "status"))
  $("d-priority").replaceChildren(badge("priority", ticket.priority))
  $("d-department").textContent = ticket.department
  $("d-customer").textContent = ticket.customer_id
  $("d-source").textContent = ticket.source_ticket_id
  $("d-created").textContent = when(ticket.created_at)
  $("d-updated").textContent = when(ticket.last_update)
  $("d-description").textContent = ticket.description

  const status = $("status")
  status.replaceChildren(el("option", "(no change)"))
  status.options[0].value = ""
  for (const next of ticket.allowed_statuses) {
    const option = el("option", statusLabel(next))
    option.value = next
    status.append(option)
  }

  const body = $("audit").tBodies[0]
  body.replaceChildren()
  for (const entry of ticket.audit) {
    const row = document.createElement("tr")
    row.append(
      el("td", when(entry.at), "time"),
      el("td", entry.actor),
      el("td", entry.action.replace("_", " ")),
      el("td", describeChange(entry))
    )
    body.append(row)
  }
}

const select = async (ticketId) => {
  state.selected = ticketId
  if (location.hash !== `#${ticketId}`) history.replaceState(null, "", `#${ticketId}`)
  for (const row of $("tickets").tBodies[0].rows) row.classList.toggle("selected", row.dataset.ticketId === ticketId)
  say($("form-message"), "")
  try {
    renderDetail(await api(`/tickets/${encodeURIComponent(ticketId)}`))
  } catch (error) {
    $("detail").hidden = true
    $("placeholder").hidden = false
    $("placeholder").textContent = `Could not load ${ticketId}: ${error.message}`
  }
}

const submitUpdate = async (event) => {
  event.preventDefault()
  if (!state.selected) return
  const note = $("note").value.trim()
  const status = $("status").value
  const actor = $("actor").value.trim()
  if (!note && !status) {
    say($("form-message"), "Write a note or pick a new status.", "error")
    return
  }
  const button = event.submitter || $("update-form").querySelector("button")
  button.disabled = true
  try {
    const ticket = await api(`/tickets/${encodeURIComponent(state.selected)}/updates`, {
      method: "POST",
      body: JSON.stringify({ ...(note ? { note } : {}), ...(status ? { status } : {}), ...(actor ? { actor } : {}) })
    })
    $("note").value = ""
    renderDetail(ticket)
    say($("form-message"), "Saved.", "ok")
    await loadList()
  } catch (error) {
    say($("form-message"), error.message, "error")
  } finally {
    button.disabled = false
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("filter-status").addEventListener("change", loadList)
  $("filter-department").addEventListener("change", loadList)
  $("refresh").addEventListener("click", loadList)
  $("update-form").addEventListener("submit", submitUpdate)
  const fromHash = decodeURIComponent(location.hash.slice(1))
  loadList().then(() => {
    if (/^TK-\d+$/.test(fromHash)) select(fromHash)
  })
})
