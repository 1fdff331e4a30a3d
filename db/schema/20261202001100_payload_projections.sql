-- migrate:up
-- What is kept of each vendor's payloads, in one place: deny by default.
-- A stored payload is the projection of the delivered one onto its vendor's
-- shape (skeldir.project_payload); every field not named here is dropped
-- before anything is stored, and the paths dropped are recorded with the
-- event. Kept are the fields the readers use and an analyst needs: ids,
-- amounts, currencies, statuses, timestamps, UTM and referrer values
-- (URLs lose every query parameter but the marketing ones), line items'
-- product ids, SKUs, titles, quantities and prices, and discount codes.
-- Customers, addresses, contact details, IPs, user agents, card details,
-- notes and free-text reasons are never kept.
--
-- A shape mirrors the payload:
--   true                 keep a scalar (strings with personal values redacted)
--   "url"                keep a URL through skeldir.clean_url
--   {"key": shape, ...}  keep these keys of an object
--   [shape]              keep each element of an array, projected
--   {"$attributes": {"key": K, "value": V, "keep": {name: shape, ...}}}
--                        a list of {K: name, V: value} entries (Shopify's
--                        note_attributes, WooCommerce's meta_data): keep the
--                        entries named in keep, and of them only K and V
SET LOCAL ROLE skeldir_owner;

CREATE TABLE skeldir.payload_projections (
  vendor skeldir.vendor PRIMARY KEY,
  shape  jsonb NOT NULL CHECK (jsonb_typeof(shape) = 'object')
);

COMMENT ON TABLE skeldir.payload_projections IS
  'Per vendor, the fields of a webhook payload that are stored; everything else is dropped (deny by default).';

INSERT INTO skeldir.payload_projections (vendor, shape) VALUES
('shopify', '{
  "id": true, "admin_graphql_api_id": true, "order_id": true, "token": true, "checkout_id": true,
  "checkout_token": true, "name": true, "order_number": true, "number": true, "confirmation_number": true,
  "created_at": true, "updated_at": true, "processed_at": true, "cancelled_at": true, "closed_at": true,
  "cancel_reason": true, "financial_status": true, "fulfillment_status": true, "currency": true,
  "presentment_currency": true, "total_price": true, "subtotal_price": true, "total_tax": true,
  "total_discounts": true, "total_line_items_price": true, "total_outstanding": true,
  "current_total_price": true, "taxes_included": true, "test": true, "source_name": true, "restock": true,
  "landing_site": "url", "referring_site": "url",
  "note_attributes": {"$attributes": {"key": "name", "value": "value", "keep": {
    "skeldir_session_id": true, "session_id": true, "utm_source": true, "utm_medium": true,
    "utm_campaign": true, "utm_term": true, "utm_content": true, "referrer": "url", "landing_page": "url"}}},
  "discount_codes": [{"code": true, "amount": true, "type": true}],
  "line_items": [{"id": true, "product_id": true, "variant_id": true, "sku": true, "title": true,
                  "variant_title": true, "vendor": true, "quantity": true, "price": true, "total_discount": true}],
  "shipping_lines": [{"id": true, "code": true, "price": true, "source": true}],
  "refund_line_items": [{"id": true, "line_item_id": true, "quantity": true, "subtotal": true, "total_tax": true,
                         "restock_type": true,
                         "line_item": {"id": true, "product_id": true, "variant_id": true, "sku": true,
                                       "title": true, "quantity": true, "price": true}}],
  "transactions": [{"id": true, "order_id": true, "parent_id": true, "kind": true, "status": true,
                    "amount": true, "currency": true, "gateway": true, "created_at": true, "processed_at": true}],
  "order_adjustments": [{"id": true, "kind": true, "amount": true, "tax_amount": true}]
}'),
('stripe', '{
  "id": true, "object": true, "api_version": true, "created": true, "type": true, "livemode": true,
  "data": {"object": {
    "id": true, "object": true, "amount": true, "amount_captured": true, "amount_capturable": true,
    "amount_received": true, "amount_refunded": true, "currency": true, "captured": true, "paid": true,
    "refunded": true, "status": true, "created": true, "payment_intent": true, "charge": true,
    "invoice": true, "balance_transaction": true, "failure_code": true, "reason": true,
    "metadata": {"order_id": true, "skeldir_session_id": true, "utm_source": true, "utm_medium": true,
                 "utm_campaign": true, "utm_term": true, "utm_content": true, "referrer": "url"},
    "refunds": {"object": true, "has_more": true, "total_count": true,
                "data": [{"id": true, "object": true, "amount": true, "currency": true, "created": true,
                          "status": true, "charge": true, "payment_intent": true, "reason": true}]}}}
}'),
('paypal', '{
  "id": true, "event_type": true, "event_version": true, "create_time": true, "resource_type": true,
  "resource_version": true,
  "resource": {
    "id": true, "status": true, "state": true, "create_time": true, "update_time": true, "invoice_id": true,
    "invoice_number": true, "custom_id": true, "custom": true, "sale_id": true, "capture_id": true,
    "parent_payment": true, "final_capture": true, "status_details": {"reason": true},
    "amount": {"total": true, "currency": true, "value": true, "currency_code": true},
    "seller_receivable_breakdown": {"gross_amount": {"value": true, "currency_code": true},
                                    "paypal_fee": {"value": true, "currency_code": true},
                                    "net_amount": {"value": true, "currency_code": true}},
    "links": [{"href": "url", "rel": true, "method": true}]}
}'),
('woocommerce', '{
  "id": true, "parent_id": true, "number": true, "status": true, "currency": true, "version": true,
  "prices_include_tax": true, "date_created": true, "date_created_gmt": true, "date_modified": true,
  "date_modified_gmt": true, "date_completed": true, "date_completed_gmt": true, "date_paid": true,
  "date_paid_gmt": true, "discount_total": true, "discount_tax": true, "shipping_total": true,
  "shipping_tax": true, "cart_tax": true, "total": true, "total_tax": true, "payment_method": true,
  "payment_method_title": true, "transaction_id": true, "created_via": true,
  "meta_data": {"$attributes": {"key": "key", "value": "value", "keep": {
    "skeldir_session_id": true, "session_id": true, "utm_source": true, "utm_medium": true,
    "utm_campaign": true, "referrer": "url", "_wc_order_attribution_source_type": true,
    "_wc_order_attribution_utm_source": true, "_wc_order_attribution_utm_medium": true,
    "_wc_order_attribution_utm_campaign": true, "_wc_order_attribution_utm_content": true,
    "_wc_order_attribution_utm_term": true, "_wc_order_attribution_referrer": "url",
    "_wc_order_attribution_session_entry": "url", "_wc_order_attribution_device_type": true}}},
  "line_items": [{"id": true, "name": true, "product_id": true, "variation_id": true, "quantity": true,
                  "subtotal": true, "total": true, "total_tax": true, "sku": true, "price": true}],
  "coupon_lines": [{"id": true, "code": true, "discount": true}],
  "shipping_lines": [{"id": true, "method_id": true, "total": true}],
  "tax_lines": [{"id": true, "rate_code": true, "tax_total": true}],
  "refunds": [{"id": true, "total": true, "amount": true}]
}');

-- migrate:down
SET LOCAL ROLE skeldir_owner;
DROP TABLE skeldir.payload_projections;
