/*
 * gaap address finder: the GOV.UK "find an address by postcode" pattern for any page.
 *
 * The page loads this file from a gaap-server and marks one or more elements:
 *
 *   <script src="https://addresses.example.gov.uk/assets/gaap-address-finder.js" defer></script>
 *   <div data-gaap-address-finder data-name="address"></div>
 *
 * Each element becomes a postcode input and a "Find address" button; the addresses at the postcode come
 * from the server's /v1/locations and are offered in a select enhanced by accessible-autocomplete. The
 * chosen address fills hidden inputs for the page's own form: NAME_uprn, NAME_line_1, NAME_line_2,
 * NAME_line_3, NAME_town and NAME_postcode. The attributes are documented in
 * crates/gaap-server/assets/README.md. Nothing here decides what an address is: the server does.
 */
(function () {
  'use strict'

  var SCRIPT_PATH = '/assets/gaap-address-finder.js'
  var MESSAGES = {
    empty: 'Enter a postcode',
    invalid: 'Enter a real postcode',
    none: 'We could not find any addresses for that postcode',
    failed: 'Sorry, there is a problem with the service. Try again later.'
  }
  var FIELDS = ['uprn', 'line_1', 'line_2', 'line_3', 'town', 'postcode']
  var counter = 0

  // The server this script came from: everything before /assets/gaap-address-finder.js in its own URL.
  function scriptBase () {
    var script = document.currentScript
    if (!script || !script.src) {
      var scripts = document.querySelectorAll('script[src]')
      for (var i = 0; i < scripts.length; i++) {
        if (scripts[i].src.indexOf(SCRIPT_PATH) !== -1) script = scripts[i]
      }
    }
    if (!script || !script.src) return ''
    var at = script.src.indexOf(SCRIPT_PATH)
    return at === -1 ? '' : script.src.slice(0, at)
  }

  var BASE = scriptBase()

  function make (tag, attributes, text) {
    var element = document.createElement(tag)
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name]
      if (value === true) element.setAttribute(name, '')
      else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, value)
    })
    if (text) element.textContent = text
    return element
  }

  // accessible-autocomplete writes each suggestion as HTML: address text must arrive escaped.
  function escapeHtml (text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]
    })
  }

  function Finder (root) {
    counter += 1
    var data = root.dataset
    this.root = root
    this.name = data.name || 'address'
    this.base = (data.baseUrl || BASE).replace(/\/+$/, '')
    this.results = []
    this.busy = false
    // The element's own content is what works without JavaScript: it gives way to the finder.
    while (root.firstChild) root.removeChild(root.firstChild)
    this.id = document.getElementById(this.name + '-postcode') ? this.name + '-' + counter : this.name
    this.render(data)
  }

  Finder.prototype.render = function (data) {
    var id = this.id
    this.root.classList.add('gaap-address-finder')

    var group = make('div', { class: 'govuk-form-group' })
    var label = make('label', { class: 'govuk-label govuk-label--s', for: id + '-postcode' }, data.label || 'Postcode')
    var hint = make('div', { class: 'govuk-hint', id: id + '-postcode-hint' }, data.hint || 'For example, SW1A 2AA')
    var error = make('p', { class: 'govuk-error-message', id: id + '-postcode-error', hidden: true })
    var input = make('input', {
      class: 'govuk-input govuk-input--width-10',
      id: id + '-postcode',
      type: 'text',
      autocomplete: 'postal-code',
      spellcheck: 'false',
      'aria-describedby': id + '-postcode-hint'
    })
    input.value = data.postcode || ''
    group.appendChild(label)
    group.appendChild(hint)
    group.appendChild(error)
    group.appendChild(input)

    var button = make('button', { type: 'button', class: 'govuk-button govuk-button--secondary' }, data.findText || 'Find address')
    var status = make('div', { class: 'govuk-visually-hidden', role: 'status', 'aria-live': 'polite', id: id + '-status' })
    var choose = make('div', { class: 'govuk-form-group gaap-address-finder__choose', hidden: true })

    this.root.appendChild(group)
    this.root.appendChild(button)
    this.root.appendChild(status)
    this.root.appendChild(choose)

    if (data.manualUrl) {
      var manual = make('p', { class: 'govuk-body' })
      manual.appendChild(make('a', { class: 'govuk-link', href: data.manualUrl }, data.manualText || 'Enter the address manually'))
      this.root.appendChild(manual)
    }

    var hidden = {}
    var self = this
    FIELDS.forEach(function (field) {
      hidden[field] = make('input', { type: 'hidden', name: self.name + '_' + field })
      self.root.appendChild(hidden[field])
    })

    var submit = null
    if (data.submitText) {
      submit = make('button', { type: 'submit', class: 'govuk-button', hidden: true }, data.submitText)
      this.root.appendChild(submit)
    }

    this.els = { group: group, error: error, input: input, hint: hint, button: button, status: status, choose: choose, hidden: hidden, submit: submit }

    button.addEventListener('click', function () { self.lookup() })
    // Enter in the postcode finds addresses instead of sending the page's form half filled in.
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter') {
        event.preventDefault()
        self.lookup()
      }
    })
  }

  Finder.prototype.announce = function (text) {
    var status = this.els.status
    status.textContent = ''
    // A fresh text node after a tick, so the same message twice is read twice.
    window.setTimeout(function () { status.textContent = text }, 50)
  }

  Finder.prototype.showError = function (key) {
    var els = this.els
    var message = MESSAGES[key]
    els.error.textContent = ''
    els.error.appendChild(make('span', { class: 'govuk-visually-hidden' }, 'Error:'))
    els.error.appendChild(document.createTextNode(' ' + message))
    els.error.hidden = false
    els.group.classList.add('govuk-form-group--error')
    els.input.classList.add('govuk-input--error')
    els.input.setAttribute('aria-describedby', this.id + '-postcode-hint ' + this.id + '-postcode-error')
    this.announce('Error: ' + message)
    els.input.focus()
  }

  Finder.prototype.clearError = function () {
    var els = this.els
    els.error.hidden = true
    els.error.textContent = ''
    els.group.classList.remove('govuk-form-group--error')
    els.input.classList.remove('govuk-input--error')
    els.input.setAttribute('aria-describedby', this.id + '-postcode-hint')
  }

  Finder.prototype.clearChoice = function () {
    var els = this.els
    FIELDS.forEach(function (field) { els.hidden[field].value = '' })
    while (els.choose.firstChild) els.choose.removeChild(els.choose.firstChild)
    els.choose.hidden = true
    if (els.submit) els.submit.hidden = true
  }

  Finder.prototype.lookup = function () {
    var self = this
    if (this.busy) return
    var postcode = this.els.input.value.trim()
    this.clearChoice()
    if (!postcode) {
      this.showError('empty')
      return
    }
    this.clearError()
    this.busy = true
    this.announce('Finding addresses')
    var url = this.base + '/v1/locations?postcode=' + encodeURIComponent(postcode)
    window.fetch(url, { headers: { Accept: 'application/json' }, credentials: 'omit' })
      .then(function (response) {
        if (response.status === 400) return { error: 'invalid' }
        if (response.status === 404) return { error: 'none' }
        if (!response.ok) return { error: 'failed' }
        return response.json().then(function (body) {
          var results = (body && body.results) || []
          return results.length ? { results: results } : { error: 'none' }
        })
      }, function () {
        return { error: 'failed' }
      })
      .then(function (outcome) {
        self.busy = false
        if (outcome.error) self.showError(outcome.error)
        else self.offer(outcome.results)
      })
  }

  Finder.prototype.offer = function (results) {
    var self = this
    var els = this.els
    var selectId = this.id + '-select'
    this.results = results
    var label = make('label', { class: 'govuk-label govuk-label--s', for: selectId }, 'Select an address')
    var select = make('select', { class: 'govuk-select', id: selectId })
    var count = results.length === 1 ? '1 address found' : results.length + ' addresses found'
    select.appendChild(make('option', { value: '' }, count))
    results.forEach(function (result) {
      select.appendChild(make('option', { value: result.uprn }, result.address))
    })
    els.choose.appendChild(label)
    els.choose.appendChild(select)
    els.choose.hidden = false

    var byText = {}
    results.forEach(function (result) { byText[result.address] = result })
    var choose = function (result) {
      select.value = result ? result.uprn : ''
      self.fill(result)
    }

    if (window.accessibleAutocomplete && window.accessibleAutocomplete.enhanceSelectElement) {
      window.accessibleAutocomplete.enhanceSelectElement({
        selectElement: select,
        defaultValue: '',
        showAllValues: true,
        // Without autoselect the component draws no unlabelled "hint" input behind the real one.
        autoselect: false,
        templates: {
          inputValue: function (value) { return value || '' },
          suggestion: function (value) { return escapeHtml(value || '') }
        },
        tNoResults: function () { return 'No addresses match' },
        // Leaving the input confirms with no option; keep what the input still says, if it is an address.
        onConfirm: function (text) {
          if (text === undefined) {
            var current = document.getElementById(selectId)
            text = current ? current.value : ''
          }
          choose(byText[text])
        }
      })
    } else {
      select.addEventListener('change', function () {
        choose(results.filter(function (r) { return r.uprn === select.value })[0])
      })
    }
    this.announce(count + '. Select an address.')
    var control = document.getElementById(selectId)
    if (control) control.focus()
  }

  Finder.prototype.fill = function (result) {
    var els = this.els
    var values = result
      ? { uprn: result.uprn, line_1: result.line_1, line_2: result.line_2, line_3: result.line_3, town: result.post_town, postcode: result.postcode }
      : {}
    FIELDS.forEach(function (field) { els.hidden[field].value = values[field] || '' })
    if (els.submit) els.submit.hidden = !result
    if (!result) return
    var event
    try {
      event = new window.CustomEvent('gaap-address-finder:select', { bubbles: true, detail: values })
    } catch (e) {
      return
    }
    this.root.dispatchEvent(event)
  }

  function start () {
    var roots = document.querySelectorAll('[data-gaap-address-finder]')
    for (var i = 0; i < roots.length; i++) {
      if (roots[i].getAttribute('data-gaap-address-finder-ready') === null) {
        roots[i].setAttribute('data-gaap-address-finder-ready', '')
        new Finder(roots[i]) // eslint-disable-line no-new
      }
    }
  }

  if (!window.fetch || !document.querySelectorAll) return
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
  else start()
  window.gaapAddressFinder = { start: start }
})()
