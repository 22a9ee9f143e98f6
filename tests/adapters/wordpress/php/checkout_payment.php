<?php
// Reads a payment's `wu_line_items` and `wu_original_cart` paymentmeta into classes that
// declare exactly the properties (names, visibility, and the typed private `attributes`) of
// Ultimate Multisite 2.4.10's WP_Ultimo\Checkout\Line_Item and WP_Ultimo\Checkout\Cart
// (Multisite-Ultimate/ultimate-multisite @ c6d398be: inc/checkout/class-line-item.php:26-281,
// inc/checkout/class-cart.php:39-238). Written for planswitch's tests; no code of the plugin.
//
// Any notice or deprecation is fatal: a serialized property these classes do not declare
// (a wrong name or visibility) would be created as a dynamic property, which PHP 8.2 reports.
//
// stdin:  {"line_items": "<meta text>", "cart": "<meta text>"}
// stdout: {"lines": [...], "cart": {...}} with the totals the plugin's cart computes from them.

namespace WP_Ultimo\Checkout {
    class Line_Item {
        protected $hash; protected $id; protected $type = 'product'; protected $product_id;
        protected $product_slug; protected $discount_code_id; protected $title;
        protected $description; protected $discountable = false; protected $taxable = false;
        protected $recurring = false; protected $duration = 1; protected $duration_unit = 'month';
        protected $billing_cycles = 0; protected $quantity = 1; protected $unit_price = 0;
        protected $subtotal = 0; protected $discount_rate = 0; protected $discount_type = 'percentage';
        protected $discount_label = ''; protected $apply_discount_to_renewals = true;
        protected $discount_total = 0; protected $tax_category = ''; protected $tax_label = '';
        protected $tax_type = 'percentage'; protected $tax_rate = 0; protected $tax_inclusive = false;
        protected $tax_exempt = false; protected $tax_total = 0; protected $total = 0;
        protected $date_created;

        public function describe() {
            return [
                'id' => $this->id, 'type' => $this->type, 'product_id' => $this->product_id,
                'title' => $this->title, 'quantity' => $this->quantity,
                'unit_price' => $this->unit_price, 'subtotal' => $this->subtotal,
                'discount_total' => $this->discount_total, 'tax_total' => $this->tax_total,
                'total' => $this->total, 'recurring' => $this->recurring,
                'duration' => $this->duration, 'duration_unit' => $this->duration_unit,
            ];
        }
        public function type() { return $this->type; }
        public function total() { return $this->total; }
        public function subtotal() { return $this->subtotal; }
        public function recurring() { return $this->recurring; }
    }

    class Cart {
        public $errors;
        private \stdClass $attributes;
        protected $cart_type; protected $customer; protected $membership; protected $payment;
        protected $recovered_payment; protected $discount_code; protected $country;
        protected $state; protected $city; protected $currency; protected $duration;
        protected $duration_unit; protected $billing_cycles = 0; protected $plan_id;
        protected $products = []; protected $recurring_products = [];
        protected $additional_products = []; protected $line_items = [];
        protected $auto_renew = true; protected $extra = []; protected $cart_descriptor = '';

        // The cart's sums as its getters define them (class-cart.php:2055-2150): total and
        // subtotal floored at 0 and rounded to 2 places; the subtotal skips credit and
        // discount lines; the recurring total adds the recurring lines.
        public function describe() {
            $total = 0; $subtotal = 0; $recurring = 0;
            foreach ($this->line_items as $line) {
                $total += $line->total();
                if (!in_array($line->type(), ['credit', 'discount'], true)) {
                    $subtotal += $line->subtotal();
                }
                if ($line->recurring()) {
                    $recurring += $line->total();
                }
            }
            return [
                'cart_type' => $this->cart_type, 'plan_id' => $this->plan_id,
                'duration' => $this->duration, 'duration_unit' => $this->duration_unit,
                'currency' => $this->currency, 'auto_renew' => $this->auto_renew,
                'membership_id' => $this->attributes->membership_id,
                'payment_id' => $this->attributes->payment_id,
                'line_ids' => array_keys($this->line_items),
                'total' => round(max($total, 0), 2),
                'subtotal' => round(max($subtotal, 0), 2),
                'recurring_total' => round(max($recurring, 0), 2),
            ];
        }
    }
}

namespace {
    class WP_Error {
        public $errors = []; public $error_data = []; protected $additional_data = [];
    }

    set_error_handler(function ($no, $message) {
        throw new ErrorException($message, 0, $no);
    });

    $input = json_decode(stream_get_contents(STDIN), true);
    $allowed = ['allowed_classes' => ['WP_Ultimo\\Checkout\\Line_Item', 'WP_Ultimo\\Checkout\\Cart', 'WP_Error', 'stdClass']];
    $lines = unserialize($input['line_items'], $allowed);
    $cart = unserialize($input['cart'], $allowed);
    if (!is_array($lines) || !($cart instanceof WP_Ultimo\Checkout\Cart)) {
        fwrite(STDERR, "not the plugin's types\n");
        exit(2);
    }
    $described = [];
    foreach ($lines as $key => $line) {
        if (!($line instanceof WP_Ultimo\Checkout\Line_Item)) {
            fwrite(STDERR, "line $key is not a Line_Item\n");
            exit(2);
        }
        $described[] = ['key' => $key] + $line->describe();
    }
    echo json_encode(['lines' => $described, 'cart' => $cart->describe()], JSON_PRESERVE_ZERO_FRACTION);
}
