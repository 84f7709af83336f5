-- wrk script: POST paVerifyPaymentNotice SOAP envelopes, rotating through the
-- notice numbers in the file named by NAVS (one a line, written by main.go).
-- Each thread starts at a different place in the list and builds every
-- request once, in init, so the run measures the server and not Lua. The
-- file's first line, "# idPA idBrokerPA idStation", gives the creditor's
-- identifiers from the data directory's portale.toml.

local envelope = [[<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:nod="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">
  <soapenv:Header/>
  <soapenv:Body>
    <nod:paVerifyPaymentNoticeReq>
      <idPA>%s</idPA><idBrokerPA>%s</idBrokerPA><idStation>%s</idStation>
      <qrCode><fiscalCode>%s</fiscalCode><noticeNumber>%s</noticeNumber></qrCode>
    </nod:paVerifyPaymentNoticeReq>
  </soapenv:Body>
</soapenv:Envelope>]]

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local requests = {}
local next = 1

function init(args)
  local headers = {
    ["Content-Type"] = "text/xml; charset=utf-8",
    ["SOAPAction"] = "\"paVerifyPaymentNotice\"",
  }
  local pa, broker, station
  for line in io.lines(os.getenv("NAVS") or "navs.txt") do
    if pa == nil then
      pa, broker, station = line:match("^# (%S+) (%S+) (%S+)$")
      assert(pa, "the first line of the notices file must name the creditor")
    else
      local body = string.format(envelope, pa, broker, station, pa, line)
      requests[#requests + 1] = wrk.format("POST", "/pagopa/paForNode", headers, body)
    end
  end
  next = 1 + (id * 7919) % #requests
end

function request()
  local r = requests[next]
  next = next % #requests + 1
  return r
end
